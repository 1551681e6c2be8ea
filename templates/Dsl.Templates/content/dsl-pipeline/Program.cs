using Dsl.Pipeline1;

// `run`, `fit`, `explain`, `generate-sample` and the other commands come from the runtime's host; the pipeline and sample data are this project's.
return PipelineHost.Run(FraudFeatures.Compiled, args, SampleData.Write);
