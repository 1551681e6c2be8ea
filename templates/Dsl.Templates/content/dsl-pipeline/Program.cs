using Dsl.Pipeline1;

// `run`, `explain` and `generate-sample` come from the runtime's host; the pipeline and sample data are this project's.
return PipelineHost.Run(FraudFeatures.Compiled, args, SampleData.Write);
