package models

import "path/filepath"

// smartTurn is where Smart Turn v3 is published: the pipecat-ai/smart-turn-v3
// model repository on Hugging Face, pinned to commit f766f81 ("Smart Turn
// v3.2").
const smartTurn = "https://huggingface.co/pipecat-ai/smart-turn-v3/resolve/f766f81d3cfdf7737ac64aad813d91bbfd56bf93/"

// SmartTurnDir and SmartTurnFile name the installed Smart Turn v3 model,
// below ModelsDir.
const (
	SmartTurnDir  = "smart-turn-v3"
	SmartTurnFile = "smart-turn-v3.2-cpu.onnx"
)

// SmartTurnPath returns where `parley models pull smart-turn-v3` installs
// the Smart Turn v3 model.
func SmartTurnPath() string {
	return filepath.Join(ModelsDir(), SmartTurnDir, SmartTurnFile)
}

// smartTurnV3 is the catalog entry of Smart Turn v3.2, the int8 CPU file
// (pipecat's default; the same I/O as the fp32 GPU file). Size and sha256:
// the file's page on Hugging Face (SHA256 of its Xet pointer, 8.68 MB) and
// an archival copy that lists 8,679,182 bytes with the same sha256.
func smartTurnV3() Entry {
	return Entry{
		Name: "smart-turn-v3", Kind: KindTurn, Engine: "smart-turn", Dir: SmartTurnDir,
		Description: "Smart Turn v3.2, int8: end-of-turn detector (turn.detector)",
		Files: []File{{
			URL: smartTurn + SmartTurnFile, Name: SmartTurnFile, Size: 8679182,
			SHA256: "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f",
		}},
	}
}
