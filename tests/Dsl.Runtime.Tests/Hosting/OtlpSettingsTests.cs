using Dsl.Hosting;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary>How the OTLP exporter's settings come from the standard <c>OTEL_*</c> variables and <c>pipeline.yaml</c>.</summary>
public sealed class OtlpSettingsTests
{
    [Fact]
    public void NoEndpointAnywhere_MeansNoExport()
    {
        Assert.Null(OtlpSettings.Resolve(Variables(), configEndpoint: null, "p"));
    }

    [Fact]
    public void BaseEndpoint_GetsTheSignalPaths_AndTheDefaults()
    {
        OtlpSettings settings = OtlpSettings.Resolve(Variables(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")), null, "fraud")!;

        Assert.Equal(new Uri("http://collector:4318/v1/traces"), settings.TracesEndpoint);
        Assert.Equal(new Uri("http://collector:4318/v1/metrics"), settings.MetricsEndpoint);
        Assert.Equal("fraud", settings.ServiceName);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.SpanDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.MetricInterval);
        Assert.Empty(settings.Headers);
    }

    [Fact]
    public void Variables_WinOverTheConfigFile_AndPerSignalEndpointsAreUsedAsGiven()
    {
        OtlpSettings settings = OtlpSettings.Resolve(
            Variables(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"), ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://traces.example/otlp"), ("OTEL_SERVICE_NAME", "nightly"), ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%3Db, x-team = fraud")),
            "http://config:4318",
            "fraud")!;

        Assert.Equal(new Uri("https://traces.example/otlp"), settings.TracesEndpoint);
        Assert.Equal(new Uri("http://env:4318/v1/metrics"), settings.MetricsEndpoint);
        Assert.Equal("nightly", settings.ServiceName);
        Assert.Equal([("api-key", "a=b"), ("x-team", "fraud")], settings.Headers);
    }

    [Fact]
    public void ConfigEndpoint_AloneIsEnough_AndOnlyOneSignalEndpointSendsOnlyThatSignal()
    {
        Assert.Equal(new Uri("http://config:4318/v1/traces"), OtlpSettings.Resolve(Variables(), "http://config:4318", "p")!.TracesEndpoint);

        OtlpSettings metricsOnly = OtlpSettings.Resolve(Variables(("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://m:4318/v1/metrics")), null, "p")!;
        Assert.Null(metricsOnly.TracesEndpoint);
        Assert.Equal(new Uri("http://m:4318/v1/metrics"), metricsOnly.MetricsEndpoint);
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL is 'grpc'")]
    [InlineData("OTEL_EXPORTER_OTLP_TIMEOUT", "soon", "OTEL_EXPORTER_OTLP_TIMEOUT is 'soon'; it must be a positive number of milliseconds.")]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", "novalue", "OTEL_EXPORTER_OTLP_HEADERS has 'novalue'; each header is key=value")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is 'collector:4318', which is not an http:// or https:// URL.")]
    public void UnusableSetting_IsRefusedNamingTheVariable(string variable, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => OtlpSettings.Resolve(Variables(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), (variable, value)), null, "p"));

        Assert.StartsWith(message, error.Message);
    }

    private static Func<string, string?> Variables(params (string Name, string Value)[] values) =>
        name => values.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
}
