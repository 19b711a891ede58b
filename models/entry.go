package models

import "strings"

// Kind says what a model does.
type Kind string

// Model kinds.
const (
	// KindASR is a speech recogniser.
	KindASR Kind = "asr"
	// KindVAD is a voice activity detector.
	KindVAD Kind = "vad"
	// KindTTS is a speech synthesiser.
	KindTTS Kind = "tts"
	// KindTurn is an end-of-turn detector.
	KindTurn Kind = "turn"
)

// Entry is one model parley knows how to fetch: the files its publisher
// serves and where they are installed.
type Entry struct {
	// Name identifies the model on the command line, e.g. "sensevoice-small-int8".
	Name string
	// Kind is asr, vad, tts or turn.
	Kind Kind
	// Engine names the engine that loads the model ("sensevoice",
	// "paraformer", "silero", "piper", "kokoro", "smart-turn"), as
	// asr.engine, tts.engine, vad.engine and turn.detector name it.
	Engine string
	// Description is one line for `parley models list`.
	Description string
	// Dir is the install folder under the models folder; "" installs the
	// files directly in the models folder (only for single plain files).
	Dir string
	// Files are the downloads, in order.
	Files []File
}

// File is one download of an Entry.
type File struct {
	// URL is the publisher's download location.
	URL string
	// Name is the file name on disk (of the download, or of the archive's
	// .part while it downloads).
	Name string
	// Size is the exact size in bytes of the download.
	Size int64
	// SHA256 is the hex sha256 of the download; "" when none is published.
	SHA256 string
	// MD5 is the hex md5 the publisher lists, when it lists no sha256.
	MD5 string
	// Archive, when set, says how to unpack the download; the download
	// itself is not kept.
	Archive *Archive
}

// Archive says how a .tar.bz2 download is unpacked.
type Archive struct {
	// Prefix is the leading folder of every member, stripped on unpacking.
	Prefix string
	// Members are the files kept (paths below Prefix); others are skipped.
	Members []Member
}

// Member is one file unpacked from an Archive.
type Member struct {
	// Name is the path below the archive's Prefix and below the install folder.
	Name string
	// Size is the exact size in bytes; 0 when unknown (not checked).
	Size int64
	// SHA256 is the hex sha256; "" when unknown (not checked).
	SHA256 string
}

// Checksum says how strongly a model's downloads are checked.
type Checksum string

// Checksum strengths, strongest first.
const (
	// ChecksumSHA256 means every download has a published sha256.
	ChecksumSHA256 Checksum = "sha256"
	// ChecksumMD5 means some download has only the publisher's md5.
	ChecksumMD5 Checksum = "md5"
	// ChecksumSizeOnly means some download has no published checksum.
	ChecksumSizeOnly Checksum = "size only"
)

func (e Entry) clone() Entry {
	e.Files = append([]File(nil), e.Files...)
	for i, f := range e.Files {
		if f.Archive != nil {
			a := *f.Archive
			a.Members = append([]Member(nil), a.Members...)
			e.Files[i].Archive = &a
		}
	}
	return e
}

// Size is the total download size in bytes.
func (e Entry) Size() int64 {
	var n int64
	for _, f := range e.Files {
		n += f.Size
	}
	return n
}

// Checksum returns the weakest check any of the entry's downloads gets.
func (e Entry) Checksum() Checksum {
	status := ChecksumSHA256
	for _, f := range e.Files {
		switch {
		case f.SHA256 != "":
		case f.MD5 != "":
			status = ChecksumMD5
		default:
			return ChecksumSizeOnly
		}
	}
	return status
}

// Warnings lists, per download, what the publisher does not let parley
// check; `parley models pull` prints them.
func (e Entry) Warnings() []string {
	var out []string
	for _, f := range e.Files {
		switch {
		case f.SHA256 != "":
		case f.MD5 != "":
			out = append(out, f.Name+": no published sha256: size and md5 checked")
		default:
			out = append(out, f.Name+": no published checksum: size checked only")
		}
	}
	return out
}

// installed lists the files that make up an installed model, relative to
// its folder, with what is known about each.
func (e Entry) installed() []Member {
	var out []Member
	for _, f := range e.Files {
		if f.Archive != nil {
			out = append(out, f.Archive.Members...)
			continue
		}
		out = append(out, Member{Name: f.Name, Size: f.Size, SHA256: f.SHA256})
	}
	return out
}

// md5Of returns the md5 the catalog lists for an installed plain file.
func (e Entry) md5Of(name string) string {
	for _, f := range e.Files {
		if f.Archive == nil && f.Name == name {
			return strings.ToLower(f.MD5)
		}
	}
	return ""
}
