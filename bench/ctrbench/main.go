// ctrbench: container starts through containerd's client library from one
// long-lived process, as an orchestrator (or runwasi's benchmark) drives
// containerd, instead of one `ctr run` process per container. Each
// container is created on a fresh snapshot of the image, started, waited
// for, its output checked, and deleted with its snapshot.
//
//	ctrbench -address SOCK -namespace NS -image REF [-platform P]
//	         -runtime NAME [-runc-binary PATH -runc-root DIR]
//	         [-n N] [-p P] [-expect TEXT] [-prefix ID]
//
// Prints one line: "N containers, P at a time: T s, X tasks/s, Y ms each".
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/oci"
	"github.com/containerd/containerd/platforms"
	"github.com/containerd/containerd/runtime/v2/runc/options"
)

type config struct {
	image      containerd.Image
	runtime    string
	runcBinary string
	runcRoot   string
	expect     string
}

// lockedBuffer collects a container's stdout and stderr, written by two
// copy goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runOne creates, starts, waits for and deletes one container.
func runOne(ctx context.Context, client *containerd.Client, cfg *config, id string) error {
	var runtimeOpts interface{}
	if cfg.runcBinary != "" {
		runtimeOpts = &options.Options{BinaryName: cfg.runcBinary, Root: cfg.runcRoot}
	}
	container, err := client.NewContainer(ctx, id,
		containerd.WithImage(cfg.image),
		containerd.WithNewSnapshot(id, cfg.image),
		containerd.WithNewSpec(oci.WithImageConfig(cfg.image)),
		containerd.WithRuntime(cfg.runtime, runtimeOpts))
	if err != nil {
		return fmt.Errorf("create container: %w", err)
	}
	defer container.Delete(ctx, containerd.WithSnapshotCleanup)

	var out lockedBuffer
	task, err := container.NewTask(ctx, cio.NewCreator(cio.WithStreams(nil, &out, &out)))
	if err != nil {
		return fmt.Errorf("create task: %w", err)
	}
	exitC, err := task.Wait(ctx)
	if err != nil {
		task.Delete(ctx, containerd.WithProcessKill)
		return fmt.Errorf("wait: %w", err)
	}
	if err := task.Start(ctx); err != nil {
		task.Delete(ctx, containerd.WithProcessKill)
		return fmt.Errorf("start: %w", err)
	}
	status := <-exitC
	if _, err := task.Delete(ctx); err != nil {
		return fmt.Errorf("delete task: %w", err)
	}
	if code := status.ExitCode(); code != 0 {
		return fmt.Errorf("exit status %d: %s", code, out.String())
	}
	if cfg.expect != "" && !strings.Contains(out.String(), cfg.expect) {
		return fmt.Errorf("output lacks %q: %q", cfg.expect, out.String())
	}
	return nil
}

func main() {
	address := flag.String("address", "", "containerd's socket")
	namespace := flag.String("namespace", "default", "containerd namespace")
	ref := flag.String("image", "", "image reference (already imported)")
	platform := flag.String("platform", "", "the image's platform, e.g. wasip1/wasm")
	runtime := flag.String("runtime", "io.containerd.runc.v2", "runtime (shim) name")
	runcBinary := flag.String("runc-binary", "", "the runc shim's runtime binary")
	runcRoot := flag.String("runc-root", "", "the runc shim's runtime root")
	n := flag.Int("n", 100, "containers in all")
	parallel := flag.Int("p", 1, "containers at a time")
	expect := flag.String("expect", "", "text every container must print")
	prefix := flag.String("prefix", "ctrbench", "container id prefix")
	flag.Parse()
	if *address == "" || *ref == "" || *n < 1 || *parallel < 1 {
		flag.Usage()
		os.Exit(2)
	}

	client, err := containerd.New(*address)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ctrbench: %v\n", err)
		os.Exit(1)
	}
	defer client.Close()
	ctx := namespaces.WithNamespace(context.Background(), *namespace)
	image, err := client.GetImage(ctx, *ref)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ctrbench: %v\n", err)
		os.Exit(1)
	}
	if *platform != "" {
		p, err := platforms.Parse(*platform)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ctrbench: %v\n", err)
			os.Exit(2)
		}
		image = containerd.NewImageWithPlatform(client, image.Metadata(), platforms.Only(p))
	}
	cfg := &config{image: image, runtime: *runtime, runcBinary: *runcBinary,
		runcRoot: *runcRoot, expect: *expect}

	var next, failed int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < *parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1)
				if i > int64(*n) {
					return
				}
				id := fmt.Sprintf("%s-%d", *prefix, i)
				if err := runOne(ctx, client, cfg, id); err != nil {
					atomic.AddInt64(&failed, 1)
					firstErr.CompareAndSwap(nil, fmt.Errorf("%s: %w", id, err))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0).Seconds()
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "ctrbench: %d of %d containers failed; first: %v\n",
			failed, *n, firstErr.Load())
		os.Exit(1)
	}
	fmt.Printf("%d containers, %d at a time: %.2f s, %.1f tasks/s, %.1f ms each\n",
		*n, *parallel, elapsed, float64(*n)/elapsed, elapsed*1000/float64(*n))
}
