using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Dsl.Testing;

/// <summary>
/// Accepts OTLP/HTTP posts on a free local port, as a collector's HTTP receiver does, answers each with a fixed status
/// and keeps each body for the test to parse.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpStatusCode _status;
    private readonly ConcurrentQueue<(string Path, string? ContentType, IReadOnlyDictionary<string, string?> Headers, byte[] Body)> _requests = new();
    private readonly Task _loop;

    public OtlpReceiver(HttpStatusCode status)
    {
        _status = status;
        int port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    /// <summary>The base URL to give as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Every request so far: its path, content type and headers (names in lower case).</summary>
    public IReadOnlyList<(string Path, string? ContentType, IReadOnlyDictionary<string, string?> Headers)> Requests => _requests.Select(r => (r.Path, r.ContentType, r.Headers)).ToList();

    /// <summary>The bodies posted to <paramref name="path"/> (e.g. <c>/v1/traces</c>), parsed as JSON, in arrival order.</summary>
    public IEnumerable<JsonElement> Bodies(string path) =>
        _requests.Where(r => r.Path == path).Select(r => JsonDocument.Parse(r.Body).RootElement.Clone());

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was stopped under a pending GetContext.
        }
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k.ToLowerInvariant(), k => context.Request.Headers[k]);
            _requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, headers, body.ToArray()));
            context.Response.StatusCode = (int)_status;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
