using Dsl.Workloads;

return PipelineHost.Run(W3BroadcastJoin.Compiled, args);
