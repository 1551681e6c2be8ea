using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Hosting;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>The exporter's timing and its bound: spans leave while the run goes on, and a flood is capped with a warning.</summary>
public sealed class OtlpExporterTests
{
    [Fact]
    public void Spans_AreSentWhileTheRunGoesOn_NotOnlyAtTheEnd()
    {
        using var receiver = new OtlpReceiver(HttpStatusCode.OK);
        var stderr = new StringWriter();
        using OtlpExporter exporter = OtlpExporter.Start(Settings(receiver, spanDelay: TimeSpan.FromMilliseconds(100)), stderr)!;

        ExecutionTelemetry.Source.StartActivity("test.periodic")?.Dispose();

        var clock = Stopwatch.StartNew();
        while (!Names(receiver).Contains("test.periodic") && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(50);
        }
        Assert.Contains("test.periodic", Names(receiver));
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void MoreSpansThanTheQueueHolds_AreDroppedWithAWarning()
    {
        using var receiver = new OtlpReceiver(HttpStatusCode.OK);
        var stderr = new StringWriter();
        using (OtlpExporter.Start(Settings(receiver, spanDelay: TimeSpan.FromMinutes(10)), stderr))
        {
            for (int i = 0; i < 16_384 + 50; i++)
            {
                ExecutionTelemetry.Source.StartActivity("test.flood")?.Dispose();
            }
        }

        Assert.Equal(16_384, Names(receiver).Count);
        string warning = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^warning: \d+ telemetry span\(s\) were not sent: more than 16384 waited at once\.$", warning);
        Assert.True(int.Parse(warning.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 50, warning);
    }

    private static OtlpSettings Settings(OtlpReceiver receiver, TimeSpan spanDelay) =>
        new(new Uri(receiver.Endpoint + "/v1/traces"), new Uri(receiver.Endpoint + "/v1/metrics"), "test", [], TimeSpan.FromSeconds(10), spanDelay, TimeSpan.FromMinutes(10));

    private static List<string> Names(OtlpReceiver receiver) =>
        receiver.Bodies("/v1/traces")
            .SelectMany(b => b.GetProperty("resourceSpans").EnumerateArray())
            .SelectMany(r => r.GetProperty("scopeSpans").EnumerateArray())
            .SelectMany(s => s.GetProperty("spans").EnumerateArray())
            .Select(s => s.GetProperty("name").GetString()!)
            .ToList();
}
