using System.Text;
using Dsl.Execution;
using Dsl.Validation.Drift;
using Dsl.Validation.Gates;
using Dsl.Validation.Reports;
using Dsl.Validation.Statistics;

namespace Dsl.Runtime.Tests.Validation;

public class ProfileAndReportTests
{
    private const string Hostile = "<script>alert(\"x\")</script>&'é😀";

    private static DatasetProfile Profile(string textValue = "FR")
    {
        BatchSchema schema = new(Columns.Field("amount", ColumnType.Double), Columns.Field(Hostile, ColumnType.String), Columns.Field("day", ColumnType.Date));
        SchemaStatistics stats = SchemaStatistics.ForProfile("T", schema);
        double[] amount = Columns.Normal(4, 10_000, mean: 50, sd: 10);
        amount[3] = double.NaN;
        string?[] text = [.. Enumerable.Range(0, 10_000).Select(i => i % 10 == 0 ? null : i % 3 == 0 ? textValue : "DE")];
        int[] days = [.. Enumerable.Range(0, 10_000).Select(i => 19_000 + (i % 30))];
        using var batch = new RecordBatch(schema, [Columns.Doubles(amount), Columns.Strings(text), Columns.Ints(days, type: ColumnType.Date)], 10_000);
        stats.Observe(batch);
        return DatasetProfile.From(new StatisticsSet([stats]), new DateTime(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void A_profile_round_trips_through_its_file()
    {
        DatasetProfile profile = Profile();
        string path = Path.Combine(Path.GetTempPath(), $"profile-{Guid.NewGuid():N}.json");
        try
        {
            profile.Write(path);
            DatasetProfile read = DatasetProfile.Read(path);
            Assert.Equal(profile.ToJson(), read.ToJson());
            ColumnProfile amount = read.Schemas[0].Column("amount")!;
            Assert.Equal(1, amount.NaNs);
            Assert.Equal(9_999, amount.Values);
            Assert.Equal(50, amount.Mean!.Value, 0.5);
            Assert.Equal(DatasetProfile.HistogramBins, amount.Histogram!.Counts.Length);
            Assert.Equal(9_999, amount.Histogram.Counts.Sum());
            Assert.Equal(DatasetProfile.ProfileRanks.Length, amount.Quantiles.Count);
            ColumnProfile text = read.Schemas[0].Column(Hostile)!;
            Assert.Equal(1_000, text.Nulls);
            Assert.Equal(["DE", "FR"], text.TopValues.Select(kv => kv.Key));
            Assert.Equal(0, text.OtherCount);
            Assert.Equal(0, text.TopErrorBound);
            Assert.True(text.DistinctExact);
            Assert.Equal(2, text.Distinct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_damaged_or_other_version_profile_is_refused_naming_the_file_and_what_was_expected()
    {
        string json = Encoding.UTF8.GetString(Profile().ToJson());
        static InvalidDataException Refused(string text) =>
            Assert.Throws<InvalidDataException>(() => DatasetProfile.Parse(Encoding.UTF8.GetBytes(text), "ref/profile.json"));
        Assert.Equal(
            "ref/profile.json: format is \"dsl-profile/2\", expected \"dsl-profile/1\": this runtime reads only version 1 of a dataset profile written by `profile`; write the file again with this version.",
            Refused(json.Replace("dsl-profile/1", "dsl-profile/2")).Message);
        Assert.Equal("ref/profile.json: format is \"dsl-stats/1\", expected \"dsl-profile/1\" (a dataset profile written by `profile`).", Refused(json.Replace("dsl-profile/1", "dsl-stats/1")).Message);
        Assert.Equal("ref/profile.json: missing \"format\"; expected \"dsl-profile/1\" (a dataset profile written by `profile`).", Refused(json.Replace("\"format\"", "\"fmt\"")).Message);
        Assert.StartsWith("ref/profile.json: not a JSON document (", Refused(json[..(json.Length / 2)]).Message);
        Assert.Equal("ref/profile.json: the file holds a JSON array, expected an object (a dataset profile).", Refused("[1]").Message);
        Assert.Equal(
            "ref/profile.json: schemas[0].columns[0]: \"nulls\" is the number -1, expected a whole number ≥ 0.",
            Refused(json.Replace("\"nulls\": 0", "\"nulls\": -1")).Message);
        Assert.Equal(
            "ref/profile.json: schemas[0].columns[0].sketch: the quantile sketch is inconsistent: its levels' weights do not add up to its count, or it holds NaN.",
            Refused(json.Replace("\"count\": 9999", "\"count\": 9998")).Message);
        FileNotFoundException missing = Assert.Throws<FileNotFoundException>(() => DatasetProfile.Read("/nonexistent/profile.json"));
        Assert.Equal("/nonexistent/profile.json: no such reference profile; write one with `profile` (dsl-profile/1).", missing.Message);
    }

    private static ReportPage Report()
    {
        DatasetProfile current = Profile(textValue: "ES");
        var gate = new GatePlan($"mean({Hostile})", GateMetric.Mean, "T", ["amount"], 0, 10, GateSeverity.Fail, $"[Gate] on {Hostile}");
        var measurements = new GateMeasurements(new StatisticsSet([]), new Dictionary<string, long>(), 0, new Dictionary<string, long>());
        StatisticsSet stats = StatisticsSet.Create(
            new Dictionary<string, BatchSchema> { ["T"] = new(Columns.Field("amount", ColumnType.Double)) },
            GateEvaluator.Requirements([gate]));
        using (var batch = new RecordBatch(new BatchSchema(Columns.Field("amount", ColumnType.Double)), [Columns.Doubles([50, 60])], 2))
        {
            stats.Schemas[0].Observe(batch);
        }
        GateResult result = GateEvaluator.Evaluate(gate, measurements with { Statistics = stats });
        return new ReportPage(
            Hostile,
            new DateTime(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc),
            10_000,
            37,
            [new RuleSummary($"T.{Hostile}.Range", $"{Hostile} in [0, 1]", RuleAction.Quarantine, 37, [new ViolationSample($"{Hostile} = \"<b>\" is not allowed", "in/<x>.parquet", 0, 12)])],
            [result],
            DriftEvaluator.Compare(current, Profile(), new DriftThresholds()),
            current);
    }

    [Fact]
    public void The_html_report_is_self_contained_and_escapes_every_value()
    {
        string html = HtmlReport.Render(Report());
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("\"<b>\"", html);
        Assert.Contains("&quot;&lt;b&gt;&quot;", html);
        Assert.DoesNotContain("<x>", html);
        Assert.DoesNotContain("\"x\"", html);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;", html);
        Assert.Contains("&#233;&#128512;", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain(" src=", html);
        Assert.DoesNotContain(" href=", html);
        Assert.Contains("<span class=\"badge fail\">FAILED</span>", html);
        // One histogram bar per bin for the numeric columns, value bars for the text column and the rule.
        Assert.Equal(2 * DatasetProfile.HistogramBins, CountOf(html, "<rect x=\"") - CountOf(html, "<rect x=\"150\""));
        Assert.Contains("rows quarantined (0.37%)", html);
        // Well-formed enough for an XML parser once the doctype is set aside: every element closes.
        string body = html[html.IndexOf("<html", StringComparison.Ordinal)..].Replace("<meta charset=\"utf-8\">", "").Replace("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">", "");
        System.Xml.Linq.XDocument.Parse(body);
    }

    [Fact]
    public void Console_tables_align_columns_and_keep_each_result_on_one_line()
    {
        ReportPage report = Report();
        string gates = ConsoleTables.Gates(report.Gates);
        string[] lines = gates.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("      gate ", lines[0]);
        Assert.StartsWith("FAIL  mean(<script>", lines[2]);
        Assert.Equal(lines[0].IndexOf("measured", StringComparison.Ordinal), lines[2].IndexOf("  55  ", StringComparison.Ordinal) + 2);
        Assert.Contains("[0, 10]", lines[2]);
        string drift = ConsoleTables.Drift(report.Drift);
        string[] rows = drift.TrimEnd('\n').Split('\n');
        Assert.Equal(2 + report.Drift.Count, rows.Length);
        int psiAt = rows[0].IndexOf("PSI", StringComparison.Ordinal);
        Assert.All(rows.Skip(2), r => Assert.True(r.Length <= psiAt || r[psiAt - 1] == ' ', r));
        Assert.Contains(rows, r => r.StartsWith("DRIFT", StringComparison.Ordinal) && r.Contains("categorical", StringComparison.Ordinal));
        Assert.Single(ConsoleTables.Gates([report.Gates[0] with { Message = "a\nb" }]).Split('\n'), l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
