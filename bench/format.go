package bench

import (
	"fmt"
	"math"
	"strconv"
)

// fmtG formats a figure with 3 significant digits ("0.0123", "1.5e-06").
func fmtG(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// fmtX formats a throughput, e.g. "196x".
func fmtX(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmtG(v) + "x"
}

// fmtMS formats milliseconds, e.g. "15.2ms".
func fmtMS(v float64) string {
	return fmtG(v) + "ms"
}

// fmtMiB formats a memory figure; negative means unknown (N/A, never 0).
func fmtMiB(v float64) string {
	if v < 0 {
		return "N/A"
	}
	return fmt.Sprintf("%.0f MiB", v)
}

// fmtSpeedup formats a speed ratio; 0 means none ("-").
func fmtSpeedup(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmtG(v) + "x"
}

// dash formats a grid value; 0 (not timed) is "-".
func dash(v int) string {
	if v == 0 {
		return "-"
	}
	return strconv.Itoa(v)
}

// plural is "1 item" or "3 items".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
