using Dsl.Workloads;

return PipelineHost.Run(W1Features.Compiled, args);
