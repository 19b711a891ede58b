// Package devices is `parley devices`: the capture and playback devices
// of the audio backend, by name and id.
package devices

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"parley/audio"
	"parley/cli"
)

// Run prints the capture and playback devices of the audio backend.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, err := cli.ParseConfigFlag("devices", args, stderr)
	if err != nil {
		return err
	}
	return list(ctx, stdout)
}

// list prints the devices.
func list(ctx context.Context, w io.Writer) error {
	devs, err := audio.ListDevices(ctx)
	if err != nil {
		return fmt.Errorf("list audio devices: %w", err)
	}
	fmt.Fprintf(w, "Audio backend: %s\n", devs.Backend)
	printDeviceTable(w, "Capture (--input-device, audio.input_device)", devs.Capture)
	printDeviceTable(w, "Playback (--output-device, audio.output_device)", devs.Playback)
	return nil
}

func printDeviceTable(w io.Writer, title string, list []audio.DeviceInfo) {
	fmt.Fprintf(w, "\n%s:\n", title)
	if len(list) == 0 {
		fmt.Fprintln(w, "  (none)")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tNAME\tID")
	for _, d := range list {
		mark := " "
		if d.Default {
			mark = "*"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", mark, d.Name, d.ID)
	}
	_ = tw.Flush()
}
