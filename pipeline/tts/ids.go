package tts

// sentenceIDs turns one sentence's phonemes into the model's input ids,
// laid out as piper-phonemize does: BOS, PAD, then every phoneme's ids
// followed by PAD, then EOS — "^ _ p1 _ p2 _ … pn _ $". Each phoneme is
// first replaced through phoneme_map; phonemes the voice has no id for are
// skipped (with no PAD), as Piper does.
func sentenceIDs(phonemes []rune, cfg *VoiceConfig) []int64 {
	idMap := cfg.PhonemeIDMap
	pad := idMap[piperPad]
	ids := make([]int64, 0, 2*len(phonemes)+3)
	ids = append(ids, idMap[piperBOS]...)
	ids = append(ids, pad...)
	for _, p := range phonemes {
		for _, q := range mapPhoneme(p, cfg.PhonemeMap) {
			if id, ok := idMap[q]; ok {
				ids = append(ids, id...)
				ids = append(ids, pad...)
			}
		}
	}
	return append(ids, idMap[piperEOS]...)
}

// mapPhoneme applies phoneme_map to one phoneme.
func mapPhoneme(p rune, phonemeMap map[rune][]rune) []rune {
	if to, ok := phonemeMap[p]; ok {
		return to
	}
	return []rune{p}
}
