// One process-wide ILGPU context (GpuRuntime.Shared) and tests that recreate their own: the CPU accelerator already
// runs each kernel on every core, so running the tests one at a time costs nothing and keeps their timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
