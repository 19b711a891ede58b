package models

// This file is the catalog: the publishers' download locations, exact sizes
// and checksums. Nothing here was computed by parley's authors; each value
// was read from the place named in the comment above it. A value that could
// not be found is left empty (and `parley models pull` says so), never
// guessed. The sherpa-onnx "asr-models" release is a rolling tag, so its
// assets could be replaced: the pinned sha256 is what carries the trust, and
// a replaced asset fails the check loudly instead of installing.

const (
	sherpaASR  = "https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models/"
	piperVoice = "https://huggingface.co/rhasspy/piper-voices/resolve/c3bf31a7c50ea738281519ca86ba2ee0f50a1882/en/en_US/lessac/medium/"
	kokoroRel  = "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/"
)

// senseVoiceTokens is SenseVoice's token table, the same file in the
// int8-only and the full archive: 315,894 bytes, sha256 f449eb28...
// (installed-file manifests of the int8 archive in public model registries,
// which also list model.int8.onnx at 239,233,841 bytes in both archives).
func senseVoiceTokens() Member {
	return Member{Name: "tokens.txt", Size: 315894,
		SHA256: "f449eb28dc567533d7fa59be34e2abca8784f771850c78a47fb731a31429a1dc"}
}

// sherpaArchive is the release asset name.tar.bz2 of sherpa-onnx's
// asr-models release (size bytes, sha256 sum), unpacked from its folder
// name, keeping members.
func sherpaArchive(name string, size int64, sum string, members ...Member) []File {
	return []File{{URL: sherpaASR + name + ".tar.bz2", Name: name + ".tar.bz2", Size: size, SHA256: sum,
		Archive: &Archive{Prefix: name, Members: members}}}
}

// catalog is the immutable table behind Catalog; never modify it.
var catalog = []Entry{
	{
		Name: "sensevoice-small-int8", Kind: KindASR, Engine: "sensevoice", Dir: "sensevoice-small-int8",
		Description: "SenseVoice-small, int8 (zh en ja ko yue; CPU)",
		// Release asr-models, the int8-only repack of
		// sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17 that the sherpa
		// docs (k2-fsa/sherpa docs/source/onnx/sense-voice/pretrained.rst)
		// point to. Size and sha256: the GitHub asset metadata and digest,
		// as recorded by several independent projects pinning this asset.
		Files: sherpaArchive("sherpa-onnx-sense-voice-zh-en-ja-ko-yue-int8-2024-07-17", 163002883,
			"7d1efa2138a65b0b488df37f8b89e3d91a60676e416f515b952358d83dfd347e",
			Member{Name: "model.int8.onnx", Size: 239233841,
				SHA256: "c71f0ce00bec95b07744e116345e33d8cbbe08cef896382cf907bf4b51a2cd51"},
			senseVoiceTokens()),
	},
	{
		Name: "sensevoice-small-fp32", Kind: KindASR, Engine: "sensevoice", Dir: "sensevoice-small-fp32",
		Description: "SenseVoice-small, fp32 (zh en ja ko yue; for CUDA)",
		// Release asr-models, sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17
		// (the archive holds both model.onnx and model.int8.onnx; only the
		// fp32 graph and tokens are kept). Size: the asset's Content-Length;
		// sha256: as pinned by several projects downloading this asset.
		// model.onnx's exact size is not published (ls -lh: 895M), so it is
		// checked for presence only.
		Files: sherpaArchive("sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17", 1047870769,
			"f6b2a72ebcb1ac7a764d4cfccd886e6bcb2a95c4657c2199d0ba95ed4b9ea71a",
			Member{Name: "model.onnx"}, senseVoiceTokens()),
	},
	{
		Name: "paraformer-large-zh-int8", Kind: KindASR, Engine: "paraformer", Dir: "paraformer-large-zh-int8",
		Description: "Paraformer-large, Chinese, int8 (sherpa-onnx 2023-09-14)",
		// Release asr-models, sherpa-onnx-paraformer-zh-2023-09-14 (int8
		// only). Size and sha256 of the archive, and of model.int8.onnx and
		// the sha256 of tokens.txt inside it: as pinned by several projects
		// (GitHub asset id 155857985).
		Files: sherpaArchive("sherpa-onnx-paraformer-zh-2023-09-14", 234051698,
			"9c49fd9c6fb63de8e18c1054cf3d100f804741b7e608e187923cd8ff09fa9f03",
			Member{Name: "model.int8.onnx", Size: 243371218,
				SHA256: "f36a0433bcf096bd6d6f11b80a3ac8bed110bdca632fe0d731df8d1a84475945"},
			Member{Name: "tokens.txt", SHA256: "59aba8873a2ed1e122c25fee421e25f283b63290efbde85c1f01a853d83cb6e6"}),
	},
	{
		Name: "paraformer-large-en", Kind: KindASR, Engine: "paraformer", Dir: "paraformer-large-en",
		Description: "Paraformer-large, English, fp32 + int8 (sherpa-onnx 2024-03-09)",
		// Release asr-models, sherpa-onnx-paraformer-en-2024-03-09 (docs:
		// k2-fsa/sherpa docs/source/onnx/pretrained_models/offline-paraformer/
		// paraformer-models.rst: model.int8.onnx 220M, model.onnx 817M).
		// Size and sha256 of the archive: found in ONE public model registry
		// only; if pull reports a mismatch, compare with the digest GitHub
		// shows on the release page. Members' exact sizes are unpublished.
		Files: sherpaArchive("sherpa-onnx-paraformer-en-2024-03-09", 1021641665,
			"8ecca99e86f295b6f84bdab8498361f1658aeddc3e6e1cf2f51dfef26d1048b3",
			Member{Name: "model.onnx"}, Member{Name: "model.int8.onnx"}, Member{Name: "tokens.txt"}),
	},
	// Whisper (sherpa-onnx exports, release asr-models): the int8 graphs and
	// tokens of each archive are kept (the engine prefers int8 on the CPU).
	// Archive sha256: pinned by several independent projects (tiny.en,
	// base.en and small by five or more, large-v3-turbo by one). Archive
	// sizes: the release asset sizes as recorded by other projects' catalogs
	// (small and turbo by two or more, tiny.en and base.en by one). Member
	// sizes and sha256: as pinned by projects that verified the extracted
	// files (one or two each; none found for base.en, whose members are
	// checked for presence only). If pull reports a mismatch, compare with
	// the digest GitHub shows on the release page.
	whisperEntry("whisper-tiny.en", "Whisper tiny.en, int8 (English; CPU)", "tiny.en", 118071777,
		"2bd6cf965c8bb3e068ef9fa2191387ee63a9dfa2a4e37582a8109641c20005dd",
		Member{Size: 12937772, SHA256: "0ce578b827c94a961aacb8fa14b02f096504b337e5c94be37c36238cbe3e8bc6"},
		Member{Size: 89853865, SHA256: "06c0e6ff6348d427e51839219d1c886c18cfdf411e629e33f5e1679bff9c1527"},
		Member{Size: 835554, SHA256: "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"}),
	whisperEntry("whisper-base.en", "Whisper base.en, int8 (English; CPU)", "base.en", 208576005,
		"475bc7052ce299c007f6d5d5407ba8601f819a2867f6eecee510ed17df581542", Member{}, Member{}, Member{}),
	whisperEntry("whisper-small", "Whisper small, int8 (99 languages; CPU)", "small", 639387718,
		"486a46afbb7ba798507190ffe02fea2dd726049af212e774537efac6afb210a6",
		Member{Size: 112442483, SHA256: "4cbe7b22fa9026b843b60a68640c747de05bafb1a11b57edc0e66c232d9f33a9"},
		Member{Size: 262226114, SHA256: "acad50b5c782696e91b55914cc5ab4f756f1532f76e22aa6fc615f39fb69a8ee"},
		whisperMultilingualTokens()),
	whisperEntry("whisper-large-v3-turbo", "Whisper large-v3-turbo, int8 (100 languages, 128 mels)", "turbo", 563790207,
		"b11acbbcd660b44a8e0df33724feb5aaa709cf65668f2823d59f656312544f22",
		Member{Size: 674716297, SHA256: "b02dcdf54f348741e93fe732b67d933c8dcb6735655f710640143081db38878b"},
		Member{Size: 361080764, SHA256: "20accd02388482eb3a46bd615631adfdc85e1eb2c7db9ea3f02a40ffe6b81547"},
		whisperMultilingualTokens()),
	{
		Name: "silero-vad-v5", Kind: KindVAD, Engine: "silero", Dir: "",
		Description: "Silero VAD v5 (installed where vad.model looks by default)",
		// snakers4/silero-vad tag v5.1.2, src/silero_vad/data/silero_vad.onnx.
		// Size 2,327,524 (MODEL_CONTRACTS.md) and sha256 pinned by several
		// projects fetching this tag; also the sha256 scripts/setup.sh pins
		// for the same model from npm.
		Files: []File{{
			URL:  "https://raw.githubusercontent.com/snakers4/silero-vad/v5.1.2/src/silero_vad/data/silero_vad.onnx",
			Name: "silero_vad_v5.onnx", Size: 2327524,
			SHA256: "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f",
		}},
	},
	{
		Name: "piper-en_US-lessac-medium", Kind: KindTTS, Engine: "piper", Dir: "piper-en_US-lessac-medium",
		Description: "Piper voice en_US lessac, medium quality (22.05 kHz)",
		// rhasspy/piper-voices on Hugging Face, pinned to commit c3bf31a
		// ("Add native names", the latest change to this voice). Sizes and
		// md5 from the publisher's voices.json; it publishes no sha256.
		Files: []File{
			{URL: piperVoice + "en_US-lessac-medium.onnx", Name: "en_US-lessac-medium.onnx",
				Size: 63201294, MD5: "2fc642b535197b6305c7c8f92dc8b24f"},
			{URL: piperVoice + "en_US-lessac-medium.onnx.json", Name: "en_US-lessac-medium.onnx.json",
				Size: 4885, MD5: "c1f2b7bddefe113f3255ff9ef234cfd3"},
		},
	},
	{
		Name: "kokoro-v1.0", Kind: KindTTS, Engine: "kokoro", Dir: "kokoro-v1.0",
		Description: "Kokoro v1.0, fp32, with its voices (24 kHz)",
		// thewh1teagle/kokoro-onnx release model-files-v1.0. Sizes and sha256
		// as pinned by many projects (one of them cross-checked against the
		// LFS oids of a Hugging Face mirror).
		Files: []File{kokoroModel(), kokoroVoices()},
	},
	{
		Name: "kokoro-v1.0-int8", Kind: KindTTS, Engine: "kokoro", Dir: "kokoro-v1.0-int8",
		Description: "Kokoro v1.0, int8, with its voices (24 kHz)",
		// Same release; kokoro-v1.0.int8.onnx size and sha256 as pinned by
		// two independent projects.
		Files: []File{{
			URL: kokoroRel + "kokoro-v1.0.int8.onnx", Name: "kokoro-v1.0.int8.onnx", Size: 92361271,
			SHA256: "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
		}, kokoroVoices()},
	},
	smartTurnV3(),
}

// kokoroModel is kokoro-v1.0.onnx of release model-files-v1.0.
func kokoroModel() File {
	return File{URL: kokoroRel + "kokoro-v1.0.onnx", Name: "kokoro-v1.0.onnx", Size: 325532387,
		SHA256: "7d5df8ecf7d4b1878015a32686053fd0eebe2bc377234608764cc0ef3636a6c5"}
}

// kokoroVoices is voices-v1.0.bin of release model-files-v1.0.
func kokoroVoices() File {
	return File{URL: kokoroRel + "voices-v1.0.bin", Name: "voices-v1.0.bin", Size: 28214398,
		SHA256: "bca610b8308e8d99f32e6fe4197e7ec01679264efed0cac9140fe9c29f1fbf7d"}
}

// whisperEntry is the int8 part of release asr-models'
// sherpa-onnx-whisper-<prefix>.tar.bz2: <prefix>-encoder.int8.onnx,
// <prefix>-decoder.int8.onnx and <prefix>-tokens.txt (the members' names
// are filled in here).
func whisperEntry(name, description, prefix string, size int64, sha256 string, enc, dec, tokens Member) Entry {
	archive := "sherpa-onnx-whisper-" + prefix
	enc.Name, dec.Name, tokens.Name = prefix+"-encoder.int8.onnx", prefix+"-decoder.int8.onnx", prefix+"-tokens.txt"
	return Entry{Name: name, Kind: KindASR, Engine: "whisper", Dir: name, Description: description,
		Files: sherpaArchive(archive, size, sha256, enc, dec, tokens)}
}

// whisperMultilingualTokens is the multilingual Whisper token table, the
// same file in the small and turbo archives (816,730 bytes, as pinned for
// both).
func whisperMultilingualTokens() Member {
	return Member{Size: 816730, SHA256: "b34b360dbb493e781e479794586d661700670d65564001f23024971d1f2fa126"}
}

// Catalog returns every known model, in listing order. The result is a
// copy: changing it does not change the catalog.
func Catalog() []Entry {
	out := make([]Entry, len(catalog))
	for i, e := range catalog {
		out[i] = e.clone()
	}
	return out
}

// Lookup returns the catalog entry called name.
func Lookup(name string) (Entry, bool) {
	for _, e := range catalog {
		if e.Name == name {
			return e.clone(), true
		}
	}
	return Entry{}, false
}

// Names returns the catalog's model names, in listing order.
func Names() []string {
	names := make([]string, len(catalog))
	for i, e := range catalog {
		names[i] = e.Name
	}
	return names
}
