package frontend

import "math"

// Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz,
// logarithmic above.
const (
	slaneyHzPerMel = 200.0 / 3           // linear part: 66.67 Hz per mel
	slaneyBreakHz  = 1000.0              // where the log part starts
	slaneyBreakMel = 15.0                // slaneyBreakHz / slaneyHzPerMel
	slaneyLogStep  = 0.06875177742094912 // ln(6.4) / 27
)

// slaneyMel converts Hz to Slaney mels.
func slaneyMel(hz float64) float64 {
	if hz < slaneyBreakHz {
		return hz / slaneyHzPerMel
	}
	return slaneyBreakMel + math.Log(hz/slaneyBreakHz)/slaneyLogStep
}

// slaneyHz converts Slaney mels to Hz.
func slaneyHz(mel float64) float64 {
	if mel < slaneyBreakMel {
		return mel * slaneyHzPerMel
	}
	return slaneyBreakHz * math.Exp(slaneyLogStep*(mel-slaneyBreakMel))
}

// slaneyFilters builds librosa.filters.mel(sr=16000, n_fft=400, n_mels):
// nMels triangles over 0-8000 Hz with centres evenly spaced in Slaney mels,
// each scaled to unit area (2 / bandwidth in Hz), over the 201 STFT bins.
func slaneyFilters(nMels int) []melFilter {
	top := slaneyMel(whisperRate / 2)
	edges := make([]float64, nMels+2)
	for i := range edges {
		edges[i] = slaneyHz(top * float64(i) / float64(nMels+1))
	}
	filters := make([]melFilter, nMels)
	for i := range filters {
		filters[i] = slaneyTriangle(edges[i], edges[i+1], edges[i+2])
	}
	return filters
}

// slaneyTriangle samples the area-normalised triangle left-centre-right (Hz)
// at the STFT bin frequencies, keeping the positive weights.
func slaneyTriangle(left, centre, right float64) melFilter {
	var f melFilter
	norm := 2 / (right - left)
	for k := range whisperBins {
		hz := float64(k) * whisperRate / whisperFFT
		w := min((hz-left)/(centre-left), (right-hz)/(right-centre))
		if w <= 0 {
			continue
		}
		if f.weights == nil {
			f.start = k
		}
		f.weights = append(f.weights, w*norm)
	}
	return f
}
