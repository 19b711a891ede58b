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

// catalog is the immutable table behind Catalog; never modify it.
var catalog = []Entry{
	{
		Name: "sensevoice-small-int8", Kind: KindASR, Dir: "sensevoice-small-int8",
		Description: "SenseVoice-small, int8 (zh en ja ko yue; CPU)",
		// Release asr-models, the int8-only repack of
		// sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17 that the sherpa
		// docs (k2-fsa/sherpa docs/source/onnx/sense-voice/pretrained.rst)
		// point to. Size and sha256: the GitHub asset metadata and digest,
		// as recorded by several independent projects pinning this asset.
		Files: []File{{
			URL:  sherpaASR + "sherpa-onnx-sense-voice-zh-en-ja-ko-yue-int8-2024-07-17.tar.bz2",
			Name: "sherpa-onnx-sense-voice-zh-en-ja-ko-yue-int8-2024-07-17.tar.bz2", Size: 163002883,
			SHA256: "7d1efa2138a65b0b488df37f8b89e3d91a60676e416f515b952358d83dfd347e",
			Archive: &Archive{Prefix: "sherpa-onnx-sense-voice-zh-en-ja-ko-yue-int8-2024-07-17", Members: []Member{
				{Name: "model.int8.onnx", Size: 239233841,
					SHA256: "c71f0ce00bec95b07744e116345e33d8cbbe08cef896382cf907bf4b51a2cd51"},
				senseVoiceTokens(),
			}},
		}},
	},
	{
		Name: "sensevoice-small-fp32", Kind: KindASR, Dir: "sensevoice-small-fp32",
		Description: "SenseVoice-small, fp32 (zh en ja ko yue; for CUDA)",
		// Release asr-models, sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17
		// (the archive holds both model.onnx and model.int8.onnx; only the
		// fp32 graph and tokens are kept). Size: the asset's Content-Length;
		// sha256: as pinned by several projects downloading this asset.
		// model.onnx's exact size is not published (ls -lh: 895M), so it is
		// checked for presence only.
		Files: []File{{
			URL:  sherpaASR + "sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17.tar.bz2",
			Name: "sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17.tar.bz2", Size: 1047870769,
			SHA256: "f6b2a72ebcb1ac7a764d4cfccd886e6bcb2a95c4657c2199d0ba95ed4b9ea71a",
			Archive: &Archive{Prefix: "sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17", Members: []Member{
				{Name: "model.onnx"},
				senseVoiceTokens(),
			}},
		}},
	},
	{
		Name: "paraformer-large-zh-int8", Kind: KindASR, Dir: "paraformer-large-zh-int8",
		Description: "Paraformer-large, Chinese, int8 (sherpa-onnx 2023-09-14)",
		// Release asr-models, sherpa-onnx-paraformer-zh-2023-09-14 (int8
		// only). Size and sha256 of the archive, and of model.int8.onnx and
		// the sha256 of tokens.txt inside it: as pinned by several projects
		// (GitHub asset id 155857985).
		Files: []File{{
			URL:  sherpaASR + "sherpa-onnx-paraformer-zh-2023-09-14.tar.bz2",
			Name: "sherpa-onnx-paraformer-zh-2023-09-14.tar.bz2", Size: 234051698,
			SHA256: "9c49fd9c6fb63de8e18c1054cf3d100f804741b7e608e187923cd8ff09fa9f03",
			Archive: &Archive{Prefix: "sherpa-onnx-paraformer-zh-2023-09-14", Members: []Member{
				{Name: "model.int8.onnx", Size: 243371218,
					SHA256: "f36a0433bcf096bd6d6f11b80a3ac8bed110bdca632fe0d731df8d1a84475945"},
				{Name: "tokens.txt", SHA256: "59aba8873a2ed1e122c25fee421e25f283b63290efbde85c1f01a853d83cb6e6"},
			}},
		}},
	},
	{
		Name: "paraformer-large-en", Kind: KindASR, Dir: "paraformer-large-en",
		Description: "Paraformer-large, English, fp32 + int8 (sherpa-onnx 2024-03-09)",
		// Release asr-models, sherpa-onnx-paraformer-en-2024-03-09 (docs:
		// k2-fsa/sherpa docs/source/onnx/pretrained_models/offline-paraformer/
		// paraformer-models.rst: model.int8.onnx 220M, model.onnx 817M).
		// Size and sha256 of the archive: found in ONE public model registry
		// only; if pull reports a mismatch, compare with the digest GitHub
		// shows on the release page. Members' exact sizes are unpublished.
		Files: []File{{
			URL:  sherpaASR + "sherpa-onnx-paraformer-en-2024-03-09.tar.bz2",
			Name: "sherpa-onnx-paraformer-en-2024-03-09.tar.bz2", Size: 1021641665,
			SHA256: "8ecca99e86f295b6f84bdab8498361f1658aeddc3e6e1cf2f51dfef26d1048b3",
			Archive: &Archive{Prefix: "sherpa-onnx-paraformer-en-2024-03-09", Members: []Member{
				{Name: "model.onnx"}, {Name: "model.int8.onnx"}, {Name: "tokens.txt"},
			}},
		}},
	},
	{
		Name: "silero-vad-v5", Kind: KindVAD, Dir: "",
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
		Name: "piper-en_US-lessac-medium", Kind: KindTTS, Dir: "piper-en_US-lessac-medium",
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
		Name: "kokoro-v1.0", Kind: KindTTS, Dir: "kokoro-v1.0",
		Description: "Kokoro v1.0, fp32, with its voices (24 kHz)",
		// thewh1teagle/kokoro-onnx release model-files-v1.0. Sizes and sha256
		// as pinned by many projects (one of them cross-checked against the
		// LFS oids of a Hugging Face mirror).
		Files: []File{kokoroModel(), kokoroVoices()},
	},
	{
		Name: "kokoro-v1.0-int8", Kind: KindTTS, Dir: "kokoro-v1.0-int8",
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
