using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dsl.Execution;

namespace Dsl.Hosting;

/// <summary>
/// Sends the run's activities and meters (<see cref="ExecutionTelemetry"/>) to an OpenTelemetry collector over
/// OTLP/HTTP with JSON bodies (<c>POST …/v1/traces</c> and <c>…/v1/metrics</c>), when an endpoint is configured: the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or the per-signal <c>…_TRACES_ENDPOINT</c>/<c>…_METRICS_ENDPOINT</c>)
/// or <c>otlpEndpoint</c> in <c>pipeline.yaml</c>. Built on the .NET listeners, so the runtime needs no OpenTelemetry
/// package and stays AOT-compatible. Spans go out every few seconds and at the end; metrics (cumulative) every
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c> and at the end. An export that fails prints one warning and never fails the run.
/// </summary>
internal sealed class OtlpExporter : IDisposable
{
    private const int MaxQueuedSpans = 16_384;

    // The SDKs' default bucket bounds for histograms.
    private static readonly double[] HistogramBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly OtlpSettings _settings;
    private readonly TextWriter _stderr;
    private readonly HttpClient _http;
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Tags), MetricPoint> _points = new();
    private readonly long _startNanos = UnixNanos(DateTime.UtcNow);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _sendLock = new();
    private int _queued;
    private long _dropped;
    private int _warned;
    private bool _disposed;

    private OtlpExporter(OtlpSettings settings, TextWriter stderr)
    {
        _settings = settings;
        _stderr = stderr;
        _http = new HttpClient { Timeout = settings.Timeout };
        foreach ((string key, string value) in settings.Headers)
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation(key, value);
        }
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ExecutionTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ExecutionTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Point(instrument, tags).Add(value));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Point(instrument, tags).Record(value));
        _meters.Start();
        _loop = Task.Run(Loop);
    }

    /// <summary>Starts exporting when <paramref name="settings"/> names an endpoint; null otherwise.</summary>
    public static OtlpExporter? Start(OtlpSettings? settings, TextWriter stderr) => settings is null ? null : new OtlpExporter(settings, stderr);

    /// <summary>Sends what is left, waiting at most the export timeout, and stops listening.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        try
        {
            _loop.Wait(_settings.Timeout);
        }
        catch (AggregateException)
        {
            // The loop only ends by cancellation.
        }
        _activities.Dispose();
        _meters.Dispose();
        Flush(metrics: true);
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task Loop()
    {
        DateTime nextMetrics = DateTime.UtcNow + _settings.MetricInterval;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_settings.SpanDelay, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            bool metrics = DateTime.UtcNow >= nextMetrics;
            if (metrics)
            {
                nextMetrics = DateTime.UtcNow + _settings.MetricInterval;
            }
            Flush(metrics);
        }
    }

    private void Enqueue(Activity activity)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueuedSpans)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _spans.Enqueue(activity);
    }

    private MetricPoint Point(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new KeyValuePair<string, object?>[tags.Length];
        tags.CopyTo(pairs);
        Array.Sort(pairs, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        string key = string.Join('\u0001', pairs.Select(p => p.Key + "=" + Convert.ToString(p.Value, CultureInfo.InvariantCulture)));
        return _points.GetOrAdd((instrument, key), _ => new MetricPoint(pairs));
    }

    private void Flush(bool metrics)
    {
        lock (_sendLock)
        {
            var spans = new List<Activity>();
            while (_spans.TryDequeue(out Activity? span))
            {
                Interlocked.Decrement(ref _queued);
                spans.Add(span);
            }
            if (spans.Count > 0 && _settings.TracesEndpoint is { } traces)
            {
                Send(traces, TracesBody(spans));
            }
            if (Interlocked.Exchange(ref _dropped, 0) is > 0 and long dropped)
            {
                _stderr.WriteLine($"warning: {dropped} telemetry span(s) were not sent: more than {MaxQueuedSpans} waited at once.");
            }
            if (metrics && !_points.IsEmpty && _settings.MetricsEndpoint is { } endpoint)
            {
                Send(endpoint, MetricsBody());
            }
        }
    }

    private void Send(Uri endpoint, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = _http.PostAsync(endpoint, content).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                Warn(endpoint, $"the collector answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Warn(endpoint, e.Message.TrimEnd('.'));
        }
    }

    private void Warn(Uri endpoint, string why)
    {
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            _stderr.WriteLine($"warning: sending telemetry to {endpoint} failed: {why}; the run goes on, and later export failures are not shown.");
        }
    }

    // One ExportTraceServiceRequest.
    private byte[] TracesBody(List<Activity> spans) => Request("resourceSpans", "scopeSpans", "spans", json =>
    {
        foreach (Activity span in spans)
        {
            json.WriteStartObject();
            json.WriteString("traceId", span.TraceId.ToHexString());
            json.WriteString("spanId", span.SpanId.ToHexString());
            if (span.ParentSpanId != default)
            {
                json.WriteString("parentSpanId", span.ParentSpanId.ToHexString());
            }
            json.WriteString("name", span.OperationName);
            json.WriteNumber("kind", 1); // SPAN_KIND_INTERNAL
            json.WriteString("startTimeUnixNano", UnixNanos(span.StartTimeUtc).ToString(CultureInfo.InvariantCulture));
            json.WriteString("endTimeUnixNano", UnixNanos(span.StartTimeUtc + span.Duration).ToString(CultureInfo.InvariantCulture));
            json.WriteStartArray("attributes");
            foreach (KeyValuePair<string, object?> tag in span.TagObjects)
            {
                WriteAttribute(json, tag.Key, tag.Value);
            }
            json.WriteEndArray();
            json.WriteStartObject("status");
            // STATUS_CODE_UNSET 0, OK 1, ERROR 2.
            json.WriteNumber("code", span.Status switch { ActivityStatusCode.Ok => 1, ActivityStatusCode.Error => 2, _ => 0 });
            if (span.StatusDescription is { } description)
            {
                json.WriteString("message", description);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
    });

    // One ExportMetricsServiceRequest: counters as cumulative monotonic sums, histograms with the default buckets.
    private byte[] MetricsBody()
    {
        string now = UnixNanos(DateTime.UtcNow).ToString(CultureInfo.InvariantCulture);
        string start = _startNanos.ToString(CultureInfo.InvariantCulture);
        return Request("resourceMetrics", "scopeMetrics", "metrics", json =>
        {
            foreach (IGrouping<Instrument, KeyValuePair<(Instrument Instrument, string Tags), MetricPoint>> metric in _points.GroupBy(p => p.Key.Instrument))
            {
                Instrument instrument = metric.Key;
                json.WriteStartObject();
                json.WriteString("name", instrument.Name);
                json.WriteString("unit", instrument.Unit ?? "");
                json.WriteString("description", instrument.Description ?? "");
                bool histogram = instrument is Histogram<double>;
                json.WriteStartObject(histogram ? "histogram" : "sum");
                json.WriteStartArray("dataPoints");
                foreach ((_, MetricPoint point) in metric)
                {
                    json.WriteStartObject();
                    json.WriteStartArray("attributes");
                    foreach (KeyValuePair<string, object?> tag in point.Tags)
                    {
                        WriteAttribute(json, tag.Key, tag.Value);
                    }
                    json.WriteEndArray();
                    json.WriteString("startTimeUnixNano", start);
                    json.WriteString("timeUnixNano", now);
                    point.WriteValue(json, histogram, HistogramBounds);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteNumber("aggregationTemporality", 2); // CUMULATIVE
                if (!histogram)
                {
                    json.WriteBoolean("isMonotonic", true);
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
        });
    }

    // An export request in the OTLP JSON encoding (ids as hex, 64-bit integers as decimal strings): this process as the
    // one resource, Dsl.Execution as the one scope, and the items <paramref name="writeItems"/> writes.
    private byte[] Request(string resources, string scopes, string items, Action<Utf8JsonWriter> writeItems)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray(resources);
            json.WriteStartObject();
            WriteResource(json);
            json.WriteStartArray(scopes);
            json.WriteStartObject();
            WriteScope(json);
            json.WriteStartArray(items);
            writeItems(json);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private void WriteResource(Utf8JsonWriter json)
    {
        json.WriteStartObject("resource");
        json.WriteStartArray("attributes");
        WriteAttribute(json, "service.name", _settings.ServiceName);
        WriteAttribute(json, "telemetry.sdk.name", "dsl");
        WriteAttribute(json, "telemetry.sdk.language", "dotnet");
        WriteAttribute(json, "process.pid", (long)Environment.ProcessId);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteScope(Utf8JsonWriter json)
    {
        json.WriteStartObject("scope");
        json.WriteString("name", ExecutionTelemetry.Name);
        json.WriteString("version", DslVersion);
        json.WriteEndObject();
    }

    // "Dsl 1.2.3" is the writer's created_by; the version is the runtime's.
    private static string DslVersion => Dsl.Parquet.ParquetFileWriter.CreatedBy["Dsl ".Length..];

    private static void WriteAttribute(Utf8JsonWriter json, string key, object? value)
    {
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteStartObject("value");
        switch (value)
        {
            case bool b:
                json.WriteBoolean("boolValue", b);
                break;
            case int or long or short or byte or uint:
                json.WriteString("intValue", Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case double or float:
                json.WriteNumber("doubleValue", Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteString("stringValue", Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                break;
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static long UnixNanos(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>One attribute set's running total (a counter) or distribution (a histogram).</summary>
    private sealed class MetricPoint(KeyValuePair<string, object?>[] tags)
    {
        private readonly long[] _buckets = new long[HistogramBounds.Length + 1];
        private long _sum;
        private double _doubleSum;
        private long _count;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;

        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public void Add(long value) => Interlocked.Add(ref _sum, value);

        public void Record(double value)
        {
            lock (_buckets)
            {
                int bucket = Array.FindIndex(HistogramBounds, bound => value <= bound);
                _buckets[bucket < 0 ? HistogramBounds.Length : bucket]++;
                _count++;
                _doubleSum += value;
                _min = Math.Min(_min, value);
                _max = Math.Max(_max, value);
            }
        }

        public void WriteValue(Utf8JsonWriter json, bool histogram, double[] bounds)
        {
            if (!histogram)
            {
                json.WriteString("asInt", Interlocked.Read(ref _sum).ToString(CultureInfo.InvariantCulture));
                return;
            }
            lock (_buckets)
            {
                json.WriteString("count", _count.ToString(CultureInfo.InvariantCulture));
                json.WriteNumber("sum", _doubleSum);
                if (_count > 0)
                {
                    json.WriteNumber("min", _min);
                    json.WriteNumber("max", _max);
                }
                json.WriteStartArray("bucketCounts");
                foreach (long count in _buckets)
                {
                    json.WriteStringValue(count.ToString(CultureInfo.InvariantCulture));
                }
                json.WriteEndArray();
                json.WriteStartArray("explicitBounds");
                foreach (double bound in bounds)
                {
                    json.WriteNumberValue(bound);
                }
                json.WriteEndArray();
            }
        }
    }
}

/// <summary>Where and how <see cref="OtlpExporter"/> sends: from the standard <c>OTEL_*</c> variables, then <c>pipeline.yaml</c>.</summary>
internal sealed record OtlpSettings(Uri? TracesEndpoint, Uri? MetricsEndpoint, string ServiceName, IReadOnlyList<(string Key, string Value)> Headers, TimeSpan Timeout, TimeSpan SpanDelay, TimeSpan MetricInterval)
{
    /// <summary>
    /// The settings, or null when no endpoint is configured. <paramref name="environment"/> reads a variable
    /// (<see cref="Environment.GetEnvironmentVariable(string)"/> outside tests); the variables win over
    /// <paramref name="configEndpoint"/>, as they do in every OpenTelemetry SDK.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is not usable (the message says which and why).</exception>
    public static OtlpSettings? Resolve(Func<string, string?> environment, string? configEndpoint, string serviceName)
    {
        string? baseEndpoint = Value(environment("OTEL_EXPORTER_OTLP_ENDPOINT")) ?? Value(configEndpoint);
        string? traces = Value(environment("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        string? metrics = Value(environment("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));
        if (baseEndpoint is null && traces is null && metrics is null)
        {
            return null;
        }
        string? protocol = Value(environment("OTEL_EXPORTER_OTLP_PROTOCOL"));
        if (protocol is not (null or "http/json" or "http/protobuf"))
        {
            throw new ArgumentException($"OTEL_EXPORTER_OTLP_PROTOCOL is '{protocol}'; Dsl sends OTLP over HTTP as JSON (http/json), which collectors accept on their HTTP port (4318): unset it or set http/json.");
        }
        // With only one signal's endpoint set, only that signal is sent.
        Uri? tracesUri = Endpoint(traces, baseEndpoint, "traces");
        Uri? metricsUri = Endpoint(metrics, baseEndpoint, "metrics");
        var headers = new List<(string, string)>();
        foreach (string pair in (Value(environment("OTEL_EXPORTER_OTLP_HEADERS")) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"OTEL_EXPORTER_OTLP_HEADERS has '{pair}'; each header is key=value, separated by commas.");
            }
            headers.Add((Uri.UnescapeDataString(pair[..eq].Trim()), Uri.UnescapeDataString(pair[(eq + 1)..].Trim())));
        }
        return new OtlpSettings(
            tracesUri,
            metricsUri,
            Value(environment("OTEL_SERVICE_NAME")) ?? serviceName,
            headers,
            Milliseconds(environment, "OTEL_EXPORTER_OTLP_TIMEOUT", 10_000),
            Milliseconds(environment, "OTEL_BSP_SCHEDULE_DELAY", 5_000),
            Milliseconds(environment, "OTEL_METRIC_EXPORT_INTERVAL", 60_000));
    }

    private static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    // A per-signal endpoint is used as given; the base endpoint gets /v1/<signal> appended.
    private static Uri? Endpoint(string? signalEndpoint, string? baseEndpoint, string signal)
    {
        string name = signalEndpoint is null ? "OTEL_EXPORTER_OTLP_ENDPOINT (or otlpEndpoint in pipeline.yaml)" : $"OTEL_EXPORTER_OTLP_{signal.ToUpperInvariant()}_ENDPOINT";
        string? text = signalEndpoint ?? (baseEndpoint is null ? null : baseEndpoint.TrimEnd('/') + "/v1/" + signal);
        if (text is null)
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{name} is '{text}', which is not an http:// or https:// URL.");
        }
        return uri;
    }

    private static TimeSpan Milliseconds(Func<string, string?> environment, string variable, int defaultMs)
    {
        string? text = Value(environment(variable));
        if (text is null)
        {
            return TimeSpan.FromMilliseconds(defaultMs);
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) || ms <= 0)
        {
            throw new ArgumentException($"{variable} is '{text}'; it must be a positive number of milliseconds.");
        }
        return TimeSpan.FromMilliseconds(ms);
    }
}
