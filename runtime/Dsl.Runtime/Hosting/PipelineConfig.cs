using System.Globalization;
using Dsl.Execution;
using Dsl.Fitting;
using Dsl.Parquet.Metadata;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dsl.Hosting;

/// <summary>
/// Run settings from a pipeline configuration file (<c>pipeline.yaml</c>), so a job's input, output and tuning live
/// beside the code instead of in a shell history. Command-line options override them. The build checks the file
/// against the compiled plan (<c>check-config</c>), so a sink renamed in code is caught before a run.
/// </summary>
/// <example>
/// <code>
/// pipeline: fraud-features     # must match [Pipeline("...")]
/// input: data/transactions
/// output: out/features
/// parallelism: 4
/// compression: zstd            # uncompressed, snappy, gzip, zstd, lz4_raw or brotli
/// rowGroupRows: 1000000
/// targetPartitionRows: 2000000
/// memoryBudget: 2GiB           # what running tasks may hold at once (--memory-budget)
/// targetPartitionBytes: 128MB  # CSV and JSON Lines files are split into partitions of about this size
/// maxRecordBytes: 8MB          # the longest CSV record or JSON line accepted
/// otlpEndpoint: http://localhost:4318   # send spans and metrics to this OpenTelemetry collector (OTLP/HTTP)
/// outputs:                     # per sink (its last stage): folder inside the output
///   Featurize: features
/// partitionBy:                 # per sink: hive folders Hour=7/IsWeekend=true/, in this order (or "Hour, IsWeekend")
///   Featurize: [Hour, IsWeekend]
/// maxRowsPerFile: 5000000      # start a new part file after this many rows (--max-rows-per-file)
/// maxBytesPerFile: 512MB       # ... or about this many bytes (--max-bytes-per-file)
/// maxOpenFiles: 64             # part files one task keeps open at once (--max-open-files)
/// parameters:                  # stage parameter objects, by type name, then member
///   AmountScaling:             # e.g. static Features Featurize(Transaction t, AmountScaling s)
///     Mean: 120.5
///     Std: 33.0
///   Buckets:
///     Edges: [0.5, 1, 2.5]     # a double[] or string[] member: a YAML list, or values separated by commas
/// fitted: models/fitted.json   # load a saved fitted state instead of fitting (--fitted FILE)
/// tables:                      # the tables [Join] stages read, by name: a Parquet file or folder (--table NAME=PATH)
///   users: data/users.parquet
/// broadcastThreshold: 64MiB    # a join table up to this size is broadcast, a larger one shuffled (0: never broadcast)
/// shuffleBuckets: 64           # buckets per aggregate and shuffle join (default: from the input's size)
/// gates:                       # dataset gates, checked before the commit (see GateConfig)
///   - metric: nullRate
///     column: SessionSeconds
///     max: 0.2
/// drift:                       # compare the input with a profile written by `profile`
///   reference: profiles/transactions.json
///   maxPsi: 0.2
/// </code>
/// Every member of every parameter type a stage takes needs a value (from here or from <c>--param Type.Member=value</c>
/// on the command line, which overrides the file). Numbers use invariant culture (<c>NaN</c>, <c>Infinity</c>, <c>.nan</c>
/// and <c>.inf</c> work for <c>double</c> and <c>float</c>), booleans are <c>true</c>/<c>false</c>, date-times are ISO 8601,
/// and text is taken as written. A parameter type that a fit stage computes takes no value here (the first pass computes
/// it, or <c>fitted:</c> loads it); members that the <c>fitted:</c> state holds need none either.
/// </example>
internal sealed class PipelineConfig
{
    private static readonly string[] Keys = ["pipeline", "input", "output", "parallelism", "compression", "rowGroupRows", "targetPartitionRows", "targetPartitionBytes", "maxRecordBytes", "memoryBudget", "otlpEndpoint", "outputs", "partitionBy", "maxRowsPerFile", "maxBytesPerFile", "maxOpenFiles", "parameters", "fitted", "tables", "models", "broadcastThreshold", "shuffleBuckets", "gates", "drift"];

    private readonly Dictionary<string, Mark> _marks = new(StringComparer.Ordinal);

    // parameters: type name -> (where its key is, member name -> (where its key is, the value node)).
    private readonly Dictionary<string, (Mark Key, Dictionary<string, (Mark Key, YamlNode Value)> Members)> _parameters = new(StringComparer.Ordinal);

    private List<GateConfig.GateEntry> _gates = [];

    private PipelineConfig(string path) => FilePath = path;

    /// <summary>The file the settings came from.</summary>
    public string FilePath { get; }

    /// <summary>The pipeline name the file is written for.</summary>
    public string? Pipeline { get; private set; }

    /// <summary>Input file or folder, relative to the current directory.</summary>
    public string? Input { get; private set; }

    /// <summary>Output folder, relative to the current directory.</summary>
    public string? Output { get; private set; }

    /// <summary>Partitions processed at once.</summary>
    public int? Parallelism { get; private set; }

    /// <summary>Codec of the output files.</summary>
    public CompressionCodec? Compression { get; private set; }

    /// <summary>Rows per output row group.</summary>
    public int? RowGroupRows { get; private set; }

    /// <summary>Upper bound on rows per partition.</summary>
    public long? TargetPartitionRows { get; private set; }

    /// <summary>Bytes of a CSV or JSON Lines file per partition (<see cref="ExecutionOptions.TargetPartitionBytes"/>).</summary>
    public long? TargetPartitionBytes { get; private set; }

    /// <summary>The longest CSV record or JSON line accepted (<see cref="ExecutionOptions.MaxRecordBytes"/>).</summary>
    public int? MaxRecordBytes { get; private set; }

    /// <summary>Bytes running tasks may hold at once (<c>--memory-budget</c> overrides it).</summary>
    public long? MemoryBudget { get; private set; }

    /// <summary>The OpenTelemetry collector's OTLP/HTTP base URL (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> overrides it).</summary>
    public string? OtlpEndpoint { get; private set; }

    /// <summary>Output sub-folder per sink, keyed by the sink's last stage name.</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; private set; } = new Dictionary<string, string>();

    /// <summary>Hive partition columns per sink, keyed by the sink's last stage name (<c>--partition-by</c> overrides it for a single sink).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PartitionBy { get; private set; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Rows after which a part file is finished and the next started.</summary>
    public long? MaxRowsPerFile { get; private set; }

    /// <summary>About the bytes after which a part file is finished and the next started.</summary>
    public long? MaxBytesPerFile { get; private set; }

    /// <summary>The most part files one task keeps open at once.</summary>
    public int? MaxOpenFiles { get; private set; }

    /// <summary>The join tables by name (<c>tables:</c>; <c>--table</c> adds or replaces entries), paths relative to the current directory.</summary>
    public IReadOnlyDictionary<string, string> Tables { get; private set; } = new Dictionary<string, string>();

    /// <summary>
    /// The files of the models score stages take at run time, by name: <c>credit: models/credit.onnx</c>, or
    /// <c>credit: { path: models/credit.onnx, batchRows: 4096, concurrency: 1 }</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Models.ModelSource> Models { get; private set; } = new Dictionary<string, Models.ModelSource>();

    /// <summary>The broadcast threshold in bytes (<c>broadcastThreshold:</c>), or null for the default.</summary>
    public long? BroadcastThreshold { get; private set; }

    /// <summary>The buckets per aggregate and shuffle join (<c>shuffleBuckets:</c>), or null to choose from the input.</summary>
    public int? ShuffleBuckets { get; private set; }

    /// <summary>A saved fitted state to load instead of fitting (<c>fitted:</c>; <c>--fitted</c> overrides it), relative to the current directory.</summary>
    public string? Fitted { get; private set; }

    /// <summary>The state <see cref="Fitted"/> names, once <see cref="Check"/> has loaded and verified it; else null.</summary>
    public FittedState? FittedState { get; private set; }

    /// <summary>The drift check against a reference profile (<c>drift:</c>), or null.</summary>
    public DriftConfig? Drift { get; private set; }

    /// <summary>The <c>gates:</c> as gates of <paramref name="plan"/>; those that do not fit it are left out (<see cref="Check"/> reports them).</summary>
    public IReadOnlyList<GatePlan> Gates(PipelinePlan plan) => GateConfig.Resolve(FilePath, _gates, plan, []);

    /// <summary>
    /// Reads <paramref name="path"/>. Returns the settings that could be read and every problem found (bad YAML, unknown
    /// keys, values of the wrong type), each with its line and column; the settings are usable only when there are none.
    /// </summary>
    public static (PipelineConfig Config, IReadOnlyList<ConfigProblem> Problems) Read(string path)
    {
        var config = new PipelineConfig(path);
        var problems = new List<ConfigProblem>();
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlException e)
        {
            problems.Add(new ConfigProblem(path, (int)e.Start.Line, (int)e.Start.Column, $"The file is not valid YAML: {e.Message.TrimEnd('.')}."));
            return (config, problems);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up on some malformed flow collections without a position.
            problems.Add(new ConfigProblem(path, 1, 1, "The file is not valid YAML: an unclosed '[' or '{' or a stray character stopped the parser. Write one 'key: value' setting per line."));
            return (config, problems);
        }
        if (yaml.Documents.Count == 0)
        {
            return (config, problems);
        }
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            problems.Add(Problem(config, yaml.Documents[0].RootNode.Start, "The file must be a mapping of settings (key: value lines)."));
            return (config, problems);
        }
        foreach ((YamlNode keyNode, YamlNode value) in root.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            config._marks[key] = keyNode.Start;
            switch (key)
            {
                case "pipeline": config.Pipeline = Text(config, key, value, problems); break;
                case "input": config.Input = Text(config, key, value, problems); break;
                case "output": config.Output = Text(config, key, value, problems); break;
                case "parallelism": config.Parallelism = (int?)Number(config, key, value, 1, 4096, problems); break;
                case "rowGroupRows": config.RowGroupRows = (int?)Number(config, key, value, 1, int.MaxValue, problems); break;
                case "targetPartitionRows": config.TargetPartitionRows = Number(config, key, value, 1, long.MaxValue, problems); break;
                case "compression": config.Compression = Codec(config, value, problems); break;
                case "memoryBudget": config.MemoryBudget = Size(config, key, value, problems); break;
                case "targetPartitionBytes": config.TargetPartitionBytes = Size(config, key, value, problems); break;
                case "maxRecordBytes": config.MaxRecordBytes = RecordSize(config, key, value, problems); break;
                case "otlpEndpoint": config.OtlpEndpoint = Url(config, key, value, problems); break;
                case "outputs": config.Outputs = NamedTexts(config, key, value, "sink stage names to folders, one 'Stage: folder'", problems); break;
                case "partitionBy": config.PartitionBy = PartitionColumns(config, value, problems); break;
                case "maxRowsPerFile": config.MaxRowsPerFile = Number(config, key, value, 1, long.MaxValue, problems); break;
                case "maxBytesPerFile": config.MaxBytesPerFile = Size(config, key, value, problems); break;
                case "maxOpenFiles": config.MaxOpenFiles = (int?)Number(config, key, value, 1, 100_000, problems); break;
                case "parameters": ReadParameters(config, value, problems); break;
                case "fitted": config.Fitted = Text(config, key, value, problems); break;
                case "tables": config.Tables = NamedTexts(config, key, value, "table names to paths, one 'name: path'", problems); break;
                case "models": config.Models = ModelFiles(config, value, problems); break;
                case "broadcastThreshold": config.BroadcastThreshold = value is YamlScalarNode { Value: "0" } ? 0 : Size(config, key, value, problems); break;
                case "shuffleBuckets": config.ShuffleBuckets = (int?)Number(config, key, value, 1, 65_536, problems); break;
                case "gates": config._gates = GateConfig.ReadGates(path, value, problems); break;
                case "drift": config.Drift = GateConfig.ReadDrift(path, value, problems); break;
                default:
                    problems.Add(Problem(config, keyNode.Start, $"Unknown setting '{key}'. Known settings are {string.Join(", ", Keys)}."));
                    break;
            }
        }
        return (config, problems);
    }

    /// <summary>
    /// Reads <paramref name="path"/> and checks it against <paramref name="plan"/>: every problem, from both steps.
    /// <paramref name="overridden"/> lists the stage parameters (<c>Type.Member</c>) given on the command line, which
    /// the file may leave out; <paramref name="fitted"/> is the state <c>--fitted</c> loads, which replaces the file's
    /// <c>fitted:</c>; without <paramref name="useFitted"/> (the <c>fit</c> command, which may be writing that file)
    /// <c>fitted:</c> is ignored.
    /// </summary>
    public static (PipelineConfig Config, IReadOnlyList<ConfigProblem> Problems) ReadAndCheck(string path, PipelinePlan plan, IReadOnlyCollection<string>? overridden = null, FittedState? fitted = null, bool useFitted = true)
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = Read(path);
        return (config, [.. problems, .. config.Check(plan, overridden, fitted, useFitted)]);
    }

    /// <summary>
    /// Checks the settings against the compiled plan: the pipeline name, that each <c>outputs</c> and
    /// <c>partitionBy</c> key is a sink, that each sink's partition columns are its columns and of a type that can
    /// name a folder, and that <c>parameters</c> gives a value of the right type to every member of every parameter type the stages take
    /// (except the <c>Type.Member</c> names in <paramref name="overridden"/>, the types fit stages compute, and the
    /// members the fitted state holds: <paramref name="fitted"/>, else the one <c>fitted:</c> names, loaded and verified
    /// here) and nothing else.
    /// </summary>
    public IReadOnlyList<ConfigProblem> Check(PipelinePlan plan, IReadOnlyCollection<string>? overridden = null, FittedState? fitted = null, bool useFitted = true)
    {
        var problems = new List<ConfigProblem>();
        bool fittedUnreadable = false;
        if (fitted is null && Fitted is not null && useFitted)
        {
            try
            {
                FittedState = fitted = FittedState.Load(Fitted);
            }
            catch (ArgumentException e)
            {
                problems.Add(Problem(this, _marks["fitted"], $"Setting 'fitted': {e.Message}"));
                fittedUnreadable = true;
            }
        }
        if (Pipeline is not null && Pipeline != plan.Name)
        {
            problems.Add(Problem(this, _marks["pipeline"], $"The file is for pipeline '{Pipeline}' but this program runs pipeline '{plan.Name}'. Correct the name or use the file with its own pipeline."));
        }
        string[] runTimeModels = plan.RunTimeModelStages().Select(s => s.Model!.RunTimeName!).Distinct(StringComparer.Ordinal).ToArray();
        foreach (string model in Models.Keys.Where(m => !runTimeModels.Contains(m, StringComparer.Ordinal)))
        {
            string takes = runTimeModels.Length == 0 ? $"no score stage of pipeline '{plan.Name}' takes a model at run time" : $"its score stages take {string.Join(", ", runTimeModels.Select(m => $"'{m}'"))}";
            problems.Add(Problem(this, _marks["models." + model], $"Model '{model}' is taken by no score stage: {takes}."));
        }
        string[] sinks = plan.SinkNodes().Select(s => s.Name).ToArray();
        foreach (string stage in Tables.Keys.Where(t => !plan.Joins.Any(j => j.Table == t)))
        {
            string joins = plan.Joins.Count == 0 ? $"pipeline '{plan.Name}' has no join stage" : $"its joins read {string.Join(", ", plan.Joins.Select(j => $"'{j.Table}'").Distinct())}";
            problems.Add(Problem(this, _marks["tables." + stage], $"Table '{stage}' is read by no join stage: {joins}."));
        }
        foreach (string stage in Outputs.Keys)
        {
            if (!sinks.Contains(stage, StringComparer.Ordinal))
            {
                problems.Add(Problem(this, _marks["outputs." + stage], $"Output '{stage}' is not a sink: {NotASink(plan, stage)}. Sinks are {string.Join(", ", sinks.Select(s => $"'{s}'"))}."));
            }
        }
        foreach ((string stage, IReadOnlyList<string> columns) in PartitionBy)
        {
            SinkNode? sink = plan.SinkNodes().FirstOrDefault(s => s.Name == stage);
            if (sink is null)
            {
                problems.Add(Problem(this, _marks["partitionBy." + stage], $"'partitionBy' names '{stage}', which is not a sink: {NotASink(plan, stage)}. Sinks are {string.Join(", ", sinks.Select(s => $"'{s}'"))}."));
                continue;
            }
            foreach (string problem in HivePartitioning.Problems(stage, plan.Schemas[sink.OutputSchema], columns))
            {
                problems.Add(Problem(this, _marks["partitionBy." + stage], problem));
            }
        }
        // The folders the run would write each sink to, as LocalExecutor chooses them: a clash fails the build, not the run.
        string[] folders = sinks.Select(sink => Outputs.TryGetValue(sink, out string? folder) ? folder.Trim('/', '\\') : sinks.Length == 1 ? "" : sink).ToArray();
        if (LocalExecutor.FolderConflict(sinks, folders) is { } conflict)
        {
            // A clash needs at least one mapped sink (default folders are distinct stage names): report it at the last.
            string stage = sinks.Last(Outputs.ContainsKey);
            problems.Add(Problem(this, _marks["outputs." + stage], conflict));
        }
        BindParameters(plan, overridden ?? [], new StageParameterValues(), problems, fitted, checkMissing: !fittedUnreadable);
        GateConfig.Resolve(FilePath, _gates, plan, problems);
        return problems;
    }

    private static string NotASink(PipelinePlan plan, string stage) => plan.Stages.Any(s => s.Name == stage)
        ? $"stage '{stage}' feeds other stages, so it writes no output"
        : $"pipeline '{plan.Name}' has no stage '{stage}'";

    /// <summary>
    /// Partition columns as written on the command line or in a scalar <c>partitionBy</c> entry: names separated by
    /// commas, spaces around them ignored.
    /// </summary>
    public static IReadOnlyList<string> SplitColumns(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The stage parameter values the file gives for <paramref name="plan"/>, converted to the members' types. Values
    /// with problems (see <see cref="Check"/>) are left out.
    /// </summary>
    public StageParameterValues ParameterValues(PipelinePlan plan)
    {
        var values = new StageParameterValues();
        BindParameters(plan, [], values, [], null, checkMissing: false);
        return values;
    }

    private void BindParameters(PipelinePlan plan, IReadOnlyCollection<string> overridden, StageParameterValues values, List<ConfigProblem> problems, FittedState? fitted, bool checkMissing)
    {
        IReadOnlyList<StageParametersPlan> types = plan.ParameterTypes();
        var fromState = (fitted?.Values ?? []).Select(v => v.TypeName + "." + v.Member).ToHashSet(StringComparer.Ordinal);
        string known = types.Count == 0
            ? $"no stage of pipeline '{plan.Name}' takes parameters"
            : $"the stages take {string.Join(", ", types.Select(t => $"'{t.TypeName}'"))}";
        foreach ((string typeName, (Mark typeKey, Dictionary<string, (Mark Key, YamlNode Value)> members)) in _parameters)
        {
            if (plan.Fits.FirstOrDefault(f => f.ParametersType == typeName) is { } fit)
            {
                problems.Add(Problem(this, typeKey, $"Parameters '{typeName}' are computed by fit stage '{fit.Stage}' in the first pass of every run, so they take no values here. Remove the section; to use saved values instead of fitting, set 'fitted: FILE' (or pass --fitted FILE)."));
                continue;
            }
            StageParametersPlan? type = types.FirstOrDefault(t => t.TypeName == typeName);
            if (type is null)
            {
                problems.Add(Problem(this, typeKey, $"No stage takes parameters of type '{typeName}': {known}. Remove the section or correct the type name."));
                continue;
            }
            foreach ((string memberName, (Mark memberKey, YamlNode node)) in members)
            {
                if (type.Member(memberName) is not { } member)
                {
                    problems.Add(Problem(this, memberKey, $"Parameter type '{typeName}' has no member '{memberName}'. Its members are {string.Join(", ", type.Members.Select(m => m.Name))}."));
                }
                else if (fromState.Contains(typeName + "." + memberName))
                {
                    problems.Add(Problem(this, memberKey, $"Parameter '{typeName}.{memberName}' also comes from the fitted state (fitted by pipeline '{fitted!.Pipeline}'); give it in one place: remove it here, or load a state without it."));
                }
                else if (Value(member.Type, node) is { } value)
                {
                    values.Set(typeName, memberName, value);
                }
                else
                {
                    string list = member.Type is ParameterType.DoubleArray or ParameterType.StringArray ? ", or a YAML list such as [a, b]" : "";
                    problems.Add(Problem(this, node.Start, $"Parameter '{typeName}.{memberName}' is {StageParameterValues.CSharpNameWithArticle(member.Type)} and must be {StageParameterValues.Describe(member.Type)}{list}."));
                }
            }
        }
        foreach (StageParametersPlan type in types.Where(t => checkMissing && plan.Fits.All(f => f.ParametersType != t.TypeName)))
        {
            string[] missing = type.Members
                .Where(m => !overridden.Contains(type.TypeName + "." + m.Name) && !fromState.Contains(type.TypeName + "." + m.Name) && !(_parameters.TryGetValue(type.TypeName, out var given) && given.Members.ContainsKey(m.Name)))
                .Select(m => m.Name)
                .ToArray();
            if (missing.Length == 0)
            {
                continue;
            }
            string stages = string.Join(", ", plan.Stages.Where(s => s.Parameters?.TypeName == type.TypeName).Select(s => $"'{s.Name}'"));
            string what = $"Stage {stages} takes parameters '{type.TypeName}' but {string.Join(", ", missing.Select(m => $"'{m}'"))} {(missing.Length == 1 ? "has" : "have")} no value";
            if (_parameters.TryGetValue(type.TypeName, out var section))
            {
                problems.Add(Problem(this, section.Key, $"{what}. Add {string.Join(" and ", missing.Select(m => $"'{m}: VALUE'"))} under '{type.TypeName}'."));
            }
            else
            {
                Mark at = _marks.TryGetValue("parameters", out Mark parametersKey) ? parametersKey : Mark.Empty;
                problems.Add(Problem(this, at, $"{what}. Add them under 'parameters:' as '{type.TypeName}:' with one 'Member: VALUE' line each, or pass --param {type.TypeName}.Member=VALUE."));
            }
        }
    }

    // A member's value: a scalar as StageParameterValues.Parse reads it, or for an array member a YAML list of scalars.
    private static object? Value(ParameterType type, YamlNode node) => node switch
    {
        YamlScalarNode { Value: { } text } => StageParameterValues.Parse(type, text),
        YamlSequenceNode list when type == ParameterType.DoubleArray && list.Children.All(c => c is YamlScalarNode { Value: { } t } && StageParameterValues.Parse(ParameterType.Double, t) is double) =>
            list.Children.Select(c => (double)StageParameterValues.Parse(ParameterType.Double, ((YamlScalarNode)c).Value!)!).ToArray(),
        YamlSequenceNode list when type == ParameterType.StringArray && list.Children.All(c => c is YamlScalarNode { Value: not null }) =>
            list.Children.Select(c => ((YamlScalarNode)c).Value!).ToArray(),
        _ => null,
    };

    private static ConfigProblem Problem(PipelineConfig config, Mark at, string message) => new(config.FilePath, (int)at.Line, (int)at.Column, message);

    private static string? Text(PipelineConfig config, string key, YamlNode value, List<ConfigProblem> problems)
    {
        if (value is YamlScalarNode { Value: { Length: > 0 } text })
        {
            return text;
        }
        problems.Add(Problem(config, value.Start, $"Setting '{key}' must be a non-empty text value."));
        return null;
    }

    private static long? Number(PipelineConfig config, string key, YamlNode value, long min, long max, List<ConfigProblem> problems)
    {
        if (value is YamlScalarNode { Value: { } text } && long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long number) && number >= min && number <= max)
        {
            return number;
        }
        problems.Add(Problem(config, value.Start, $"Setting '{key}' must be a whole number from {min} to {max}."));
        return null;
    }

    private static long? Size(PipelineConfig config, string key, YamlNode value, List<ConfigProblem> problems)
    {
        if (value is YamlScalarNode { Value: { Length: > 0 } text })
        {
            try
            {
                return PipelineHost.ParseBytes(text);
            }
            catch (ArgumentException)
            {
                // Reported below, with the line.
            }
        }
        problems.Add(Problem(config, value.Start, $"Setting '{key}' must be a size of at least 1MB, such as 512MB, 2GiB or 1000000 (bytes)."));
        return null;
    }

    private static int? RecordSize(PipelineConfig config, string key, YamlNode value, List<ConfigProblem> problems)
    {
        long? size = Size(config, key, value, problems);
        if (size > 1L << 30)
        {
            problems.Add(Problem(config, value.Start, $"Setting '{key}' must be at most 1GiB: a record is held whole while it is parsed."));
            return null;
        }
        return (int?)size;
    }

    private static string? Url(PipelineConfig config, string key, YamlNode value, List<ConfigProblem> problems)
    {
        if (value is YamlScalarNode { Value: { Length: > 0 } text } && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https")
        {
            return text;
        }
        problems.Add(Problem(config, value.Start, $"Setting '{key}' must be an http:// or https:// URL, such as http://localhost:4318."));
        return null;
    }

    private static CompressionCodec? Codec(PipelineConfig config, YamlNode value, List<ConfigProblem> problems)
    {
        CompressionCodec? codec = OutputCodecs.Parse((value as YamlScalarNode)?.Value);
        if (codec is null)
        {
            problems.Add(Problem(config, value.Start, $"Setting 'compression' must be one of {OutputCodecs.NameList}."));
        }
        return codec;
    }

    private static void ReadParameters(PipelineConfig config, YamlNode value, List<ConfigProblem> problems)
    {
        if (value is not YamlMappingNode types)
        {
            problems.Add(Problem(config, value.Start, "Setting 'parameters' must map parameter type names to their members, e.g. 'AmountScaling:' then indented 'Mean: 1.5' lines."));
            return;
        }
        foreach ((YamlNode typeKey, YamlNode membersNode) in types.Children)
        {
            string typeName = (typeKey as YamlScalarNode)?.Value ?? typeKey.ToString();
            var members = new Dictionary<string, (Mark Key, YamlNode Value)>(StringComparer.Ordinal);
            config._parameters[typeName] = (typeKey.Start, members);
            if (membersNode is not YamlMappingNode map)
            {
                problems.Add(Problem(config, membersNode.Start, $"Parameters '{typeName}' must map member names to values, one indented 'Member: value' line each."));
                continue;
            }
            foreach ((YamlNode memberKey, YamlNode memberValue) in map.Children)
            {
                members[(memberKey as YamlScalarNode)?.Value ?? memberKey.ToString()] = (memberKey.Start, memberValue);
            }
        }
    }

    private static Dictionary<string, IReadOnlyList<string>> PartitionColumns(PipelineConfig config, YamlNode value, List<ConfigProblem> problems)
    {
        var partitions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (value is not YamlMappingNode map)
        {
            problems.Add(Problem(config, value.Start, "Setting 'partitionBy' must map sink stage names to their partition columns, one 'Stage: [Column, Column]' line each."));
            return partitions;
        }
        foreach ((YamlNode keyNode, YamlNode columnsNode) in map.Children)
        {
            string stage = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            config._marks["partitionBy." + stage] = keyNode.Start;
            switch (columnsNode)
            {
                case YamlScalarNode { Value: { } text }:
                    partitions[stage] = SplitColumns(text);
                    break;
                case YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }):
                    partitions[stage] = list.Children.Select(c => ((YamlScalarNode)c).Value!.Trim()).ToArray();
                    break;
                default:
                    problems.Add(Problem(config, columnsNode.Start, $"Setting 'partitionBy.{stage}' must be a list of column names, such as [Country, Year], or one name."));
                    break;
            }
        }
        return partitions;
    }

    // models: name -> path, or name -> { path, batchRows, concurrency }; each entry's line is kept under "models.name".
    private static Dictionary<string, Models.ModelSource> ModelFiles(PipelineConfig config, YamlNode value, List<ConfigProblem> problems)
    {
        var files = new Dictionary<string, Models.ModelSource>(StringComparer.Ordinal);
        if (value is not YamlMappingNode map)
        {
            problems.Add(Problem(config, value.Start, "Setting 'models' must map model names to files, one 'name: path' (or 'name: { path: ..., batchRows: N, concurrency: N }') a line."));
            return files;
        }
        foreach ((YamlNode keyNode, YamlNode entry) in map.Children)
        {
            string name = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            string setting = "models." + name;
            config._marks[setting] = keyNode.Start;
            if (entry is not YamlMappingNode options)
            {
                if (Text(config, setting, entry, problems) is { } path)
                {
                    files[name] = new Models.ModelSource(path);
                }
                continue;
            }
            string? file = null;
            long? batchRows = null, concurrency = null;
            foreach ((YamlNode optionNode, YamlNode optionValue) in options.Children)
            {
                string option = (optionNode as YamlScalarNode)?.Value ?? optionNode.ToString();
                switch (option)
                {
                    case "path": file = Text(config, setting + ".path", optionValue, problems); break;
                    case "batchRows": batchRows = Number(config, setting + ".batchRows", optionValue, 1, int.MaxValue, problems); break;
                    case "concurrency": concurrency = Number(config, setting + ".concurrency", optionValue, 1, 4096, problems); break;
                    default:
                        problems.Add(Problem(config, optionNode.Start, $"Unknown setting '{setting}.{option}'. Known settings of a model are path, batchRows and concurrency."));
                        break;
                }
            }
            if (file is null)
            {
                problems.Add(Problem(config, keyNode.Start, $"Setting '{setting}' needs 'path', the model file."));
                continue;
            }
            files[name] = new Models.ModelSource(file) { BatchRows = (int)(batchRows ?? 0), Concurrency = (int)(concurrency ?? 0) };
        }
        return files;
    }

    // A mapping of names to text values (outputs: stage -> folder, tables: name -> path); each entry's line is kept
    // under "setting.name" for later problems. A value that is not a mapping is reported with what it should be.
    private static Dictionary<string, string> NamedTexts(PipelineConfig config, string setting, YamlNode value, string shape, List<ConfigProblem> problems)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is not YamlMappingNode map)
        {
            problems.Add(Problem(config, value.Start, $"Setting '{setting}' must map {shape} line each."));
            return texts;
        }
        foreach ((YamlNode keyNode, YamlNode textNode) in map.Children)
        {
            string name = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            config._marks[setting + "." + name] = keyNode.Start;
            if (Text(config, setting + "." + name, textNode, problems) is { } text)
            {
                texts[name] = text;
            }
        }
        return texts;
    }
}
