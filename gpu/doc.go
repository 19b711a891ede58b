// Package gpu runs ONNX models on the CPU or a CUDA GPU for parley: one ONNX
// Runtime environment per process, sessions for "cpu" or "cuda:N", managed
// models that switch devices live and fall back to the CPU, a GPU memory
// budget, a priority scheduler for runs sharing a GPU, and an NVML monitor.
//
// Engines (VAD, ASR, TTS) depend only on Runner; the UI reads ModelState and
// Snapshot. Nothing here writes to the terminal: ONNX Runtime logs at fatal
// level only, and the probes that would print (WebGPU) are opt-in.
package gpu
