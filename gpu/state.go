package gpu

import "time"

// ModelState is the honest device state of one model, as doctor and the UI
// show it.
type ModelState struct {
	// Model is the model's role name, e.g. "vad", "asr", "tts".
	Model string
	// Requested is the device the user asked for, e.g. "cuda:0".
	Requested string
	// Active is the device the model runs on now.
	Active string
	// FallbackReason is why Active differs from Requested ("" if it does not).
	FallbackReason string
	// Switching is true while a live switch is being prepared.
	Switching bool
	// LastSwitch is how long the last completed switch took (0 if none).
	LastSwitch time.Duration
	// MemoryMiB is the GPU memory attributed to the model, or -1 when unknown.
	MemoryMiB float64
	// Placement says where a CUDA session's nodes ran, when checked
	// (ModelSpec.CheckPlacement), e.g. "all 52 nodes on CUDAExecutionProvider".
	Placement string
}

// GPUSample is one NVML reading of one GPU. Pointer fields are nil when
// NVML could not report the value; they render as N/A, never as 0.
type GPUSample struct {
	// Index is the NVML device index.
	Index int
	// Name is the product name, e.g. "NVIDIA H100 80GB HBM3".
	Name string
	// MemUsedMiB and MemTotalMiB are device memory figures.
	MemUsedMiB, MemTotalMiB *float64
	// MemFreeMiB is the device memory still free.
	MemFreeMiB *float64
	// ProcessMiB is the memory this process holds on the device.
	ProcessMiB *float64
	// UtilPercent is the GPU utilisation over the last sample period.
	UtilPercent *float64
	// TempC is the core temperature.
	TempC *float64
	// PowerW and PowerLimitW are the draw and the enforced limit.
	PowerW, PowerLimitW *float64
	// Error is why this GPU could not be read at all ("" when it could).
	Error string
}

// Snapshot is one poll of every GPU, or the reason there is none.
type Snapshot struct {
	// Time is when the sample was taken.
	Time time.Time
	// GPUs holds one sample per device.
	GPUs []GPUSample
	// Unavailable is why no GPU data exists ("" when GPUs is valid), e.g.
	// "NVML library not found".
	Unavailable string
}
