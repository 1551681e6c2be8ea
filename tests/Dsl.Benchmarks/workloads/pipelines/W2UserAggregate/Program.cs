using Dsl.Workloads;

return PipelineHost.Run(W2UserAggregate.Compiled, args);
