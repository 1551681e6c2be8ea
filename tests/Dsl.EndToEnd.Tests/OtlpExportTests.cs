using System.Globalization;
using System.Net;
using System.Text.Json;
using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// The sample pipeline, as a process, with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set: it posts its spans and metrics as
/// OTLP/HTTP JSON to a receiver in this test (an <see cref="HttpListener"/> that parses what arrives the way a
/// collector's OTLP HTTP receiver would), and a receiver that refuses does not fail the run.
/// </summary>
public sealed class OtlpExportTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-otlp");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_WithAnOtlpEndpoint_SendsTheJobTaskAndCommitSpansAndTheRowCounters()
    {
        using var receiver = new OtlpReceiver(HttpStatusCode.OK);
        string input = Sample(rows: 40_000, files: 2);

        (int exit, string stdout, string stderr) = PipelineProcess.Run(
            new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint, ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-team=fraud" },
            "run", "--input", input, "--output", _temp.Combine("out"), "-p", "2");

        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("warning: sending telemetry", stderr);
        Assert.All(receiver.Requests, r => Assert.Equal("application/json", r.ContentType));
        Assert.All(receiver.Requests, r => Assert.Equal("fraud", r.Headers["x-team"]));

        List<JsonElement> spans = receiver.Bodies("/v1/traces")
            .SelectMany(body => body.GetProperty("resourceSpans").EnumerateArray())
            .Select(resource =>
            {
                Assert.Equal("fraud-features", Attribute(resource.GetProperty("resource"), "service.name"));
                return resource;
            })
            .SelectMany(resource => resource.GetProperty("scopeSpans").EnumerateArray())
            .SelectMany(scope => scope.GetProperty("spans").EnumerateArray())
            .ToList();
        JsonElement job = Assert.Single(spans, s => s.GetProperty("name").GetString() == "dsl.job");
        string trace = job.GetProperty("traceId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", trace);
        List<JsonElement> tasks = spans.Where(s => s.GetProperty("name").GetString() == "dsl.task").ToList();
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t =>
        {
            Assert.Equal(trace, t.GetProperty("traceId").GetString());
            Assert.Equal(job.GetProperty("spanId").GetString(), t.GetProperty("parentSpanId").GetString());
            Assert.Equal("committed", Attribute(t, "dsl.outcome"));
            Assert.True(long.Parse(t.GetProperty("endTimeUnixNano").GetString()!, CultureInfo.InvariantCulture) >= long.Parse(t.GetProperty("startTimeUnixNano").GetString()!, CultureInfo.InvariantCulture));
        });
        Assert.Single(spans, s => s.GetProperty("name").GetString() == "dsl.commit" && s.GetProperty("traceId").GetString() == trace);

        // The last metrics export holds the run's totals (cumulative): 40,000 rows into the kernel.
        JsonElement lastMetrics = receiver.Bodies("/v1/metrics").Last();
        JsonElement rowsIn = lastMetrics.GetProperty("resourceMetrics")[0].GetProperty("scopeMetrics")[0].GetProperty("metrics").EnumerateArray()
            .Single(m => m.GetProperty("name").GetString() == "dsl.segment.rows_in");
        long total = rowsIn.GetProperty("sum").GetProperty("dataPoints").EnumerateArray().Sum(p => long.Parse(p.GetProperty("asInt").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(40_000, total);
        Assert.Contains("40,000 rows", stdout);
    }

    [Fact]
    public void Run_WhenTheCollectorFails_WarnsOnceAndStillCommits()
    {
        using var receiver = new OtlpReceiver(HttpStatusCode.ServiceUnavailable);
        string input = Sample(rows: 10_000, files: 1);

        (int exit, _, string stderr) = PipelineProcess.Run(new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint }, "run", "--input", input, "--output", _temp.Combine("out"));

        Assert.True(exit == 0, stderr);
        Assert.Equal(1, stderr.Split('\n').Count(l => l.StartsWith("warning: sending telemetry to ", StringComparison.Ordinal)));
        Assert.Contains("503", stderr);
        Assert.True(File.Exists(Path.Combine(_temp.Combine("out"), "_SUCCESS")));
    }

    [Fact]
    public void Run_WithTheGrpcProtocol_FailsInOneLineBeforeReading()
    {
        (int exit, _, string stderr) = PipelineProcess.Run(
            new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc" },
            "run", "--input", _temp.Combine("missing"), "--output", _temp.Combine("out"));

        Assert.Equal(1, exit);
        Assert.StartsWith("error: OTEL_EXPORTER_OTLP_PROTOCOL is 'grpc'", stderr.Trim());
        Assert.Single(stderr.Trim().Split('\n'));
    }

    // Sample input written by the program itself.
    private string Sample(int rows, int files)
    {
        string input = _temp.Combine("in");
        (int exit, _, string stderr) = PipelineProcess.Run(new Dictionary<string, string>(), "generate-sample", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--files", files.ToString(CultureInfo.InvariantCulture), "--output", input);
        Assert.True(exit == 0, stderr);
        return input;
    }

    private static string? Attribute(JsonElement owner, string key) =>
        owner.GetProperty("attributes").EnumerateArray()
            .Where(a => a.GetProperty("key").GetString() == key)
            .Select(a => a.GetProperty("value").EnumerateObject().Single().Value.ToString())
            .FirstOrDefault();
}
