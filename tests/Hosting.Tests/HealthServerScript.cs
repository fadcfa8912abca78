namespace MlAspire.Hosting.Tests;

/// <summary>A tiny HTTP server (Python standard library) used as a real process with a health endpoint.
/// It listens on $PORT; /health answers 503 until $HEALTHY_AFTER seconds have passed (never with $NEVER_HEALTHY).</summary>
internal static class HealthServerScript
{
    public const string Python = "/usr/bin/python3";

    private const string Source = """
        import http.server, os, time
        port = int(os.environ["PORT"])
        healthy_after = float(os.environ.get("HEALTHY_AFTER", "0"))
        never = os.environ.get("NEVER_HEALTHY") == "1"
        started = time.monotonic()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                ok = not never and time.monotonic() - started >= healthy_after
                body = os.environ.get("OTEL_SERVICE_NAME", "").encode()
                self.send_response(200 if ok else 503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        print("listening on", port, flush=True)
        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """;

    /// <summary>Adds the server as an executable with an <c>http</c> endpoint (port in $PORT) and a /health check.</summary>
    public static IResourceBuilder<ExecutableResource> AddHealthServer(this IDistributedApplicationBuilder builder, string name)
    {
        var script = Path.Combine(builder.AppHostDirectory, "health_server.py");
        if (!File.Exists(script))
        {
            File.WriteAllText(script, Source);
        }

        return builder.AddExecutable(name, Python, builder.AppHostDirectory, "-u", script)
            .WithHttpEndpoint(env: "PORT")
            .WithHttpHealthCheck("/health");
    }
}
