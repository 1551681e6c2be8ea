using Dsl.Workloads;

return PipelineHost.Run(W4QualityScan.Compiled, args);
