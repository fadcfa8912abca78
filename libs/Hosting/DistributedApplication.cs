using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using MlAspire.Hosting.Dashboard;
using MlAspire.Hosting.Orchestration;
using MlAspire.Hosting.Otlp;
using MlAspire.Hosting.Publishing;

namespace MlAspire.Hosting;

/// <summary>The built application. <see cref="RunAsync"/> either publishes the manifest
/// (<c>--publisher manifest --output-path &lt;path&gt;</c>) or runs everything until Ctrl+C / SIGTERM.</summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly ILoggerFactory _loggerFactory;
    private readonly bool _ownsLoggerFactory;
    private readonly ILogger _logger;
    private readonly TextWriter _output;
    private readonly Orchestrator _orchestrator;
    private int _exitHandlersRegistered;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        _builder = builder;
        _output = builder.Options.Output ?? TextWriter.Synchronized(Console.Out);
        _ownsLoggerFactory = builder.Options.LoggerFactory is null;
        _loggerFactory = builder.Options.LoggerFactory ?? LoggerFactory.Create(logging => logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        }));
        _logger = _loggerFactory.CreateLogger("MlAspire.Hosting");
        ResourceNotifications = new ResourceNotificationService();
        ResourceLogs = new ResourceLoggerService(builder.Options.LogLinesPerReplica);
        _orchestrator = new Orchestrator(builder, ResourceNotifications, ResourceLogs, _logger, _output);
    }

    /// <summary>Replica states as a current view and a change stream (what a dashboard watches).</summary>
    public ResourceNotificationService ResourceNotifications { get; }

    /// <summary>Replica output: bounded history per replica and a live stream.</summary>
    public ResourceLoggerService ResourceLogs { get; }

    public IReadOnlyList<Resource> Resources => _builder.Resources;

    public DistributedApplicationExecutionContext ExecutionContext => _builder.ExecutionContext;

    public DistributedApplicationOptions Options => _builder.Options;

    internal Orchestrator Orchestrator => _orchestrator;

    /// <summary>The dashboard, once run mode started it (<see cref="DistributedApplicationOptions.EnableDashboard"/>).</summary>
    public DashboardServer? Dashboard { get; private set; }

    /// <summary>Creates a builder for the AppHost's entry point: arguments become configuration, and failures
    /// end the process with a message instead of a stack trace.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IDistributedApplicationBuilder CreateBuilder(string[] args) =>
        new DistributedApplicationBuilder(new DistributedApplicationOptions { Args = args, ExitOnError = true, EnableDashboard = true }, Assembly.GetCallingAssembly());

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IDistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) =>
        new DistributedApplicationBuilder(options, Assembly.GetCallingAssembly());

    /// <summary>Run mode: builds projects and starts every resource; returns once all are healthy. Throws
    /// <see cref="DistributedApplicationException"/> (after stopping what started) when one cannot start.
    /// Publish mode: writes the manifest.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (ExecutionContext.IsPublishMode)
        {
            await PublishAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        RegisterExitHandlers();
        if (Options.EnableDashboard && Dashboard is null)
        {
            await StartDashboardAsync(cancellationToken).ConfigureAwait(false);
        }

        await _orchestrator.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops one replica (SIGTERM, SIGKILL after <c>StopTimeout</c>); it stays stopped until started again.</summary>
    public Task StopReplicaAsync(string replicaId) => _orchestrator.StopReplicaAsync(replicaId);

    /// <summary>Starts a stopped replica again; false when it is already running or the application is stopping.</summary>
    public Task<bool> StartReplicaAsync(string replicaId) => Task.FromResult(_orchestrator.StartReplica(replicaId));

    /// <summary>Stops one replica and starts it again; its restart count goes up by one.</summary>
    public Task RestartReplicaAsync(string replicaId) => _orchestrator.RestartReplicaAsync(replicaId);

    /// <summary>Stops every replica in reverse dependency order (SIGTERM, SIGKILL after <c>StopTimeout</c>).</summary>
    public Task StopAsync() => _orchestrator.StopAsync();

    /// <summary>Publishes, or runs until <paramref name="cancellationToken"/> fires or the process gets
    /// SIGINT/SIGTERM/SIGQUIT, then stops everything. A second Ctrl+C kills everything at once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            if (ExecutionContext.IsPublishMode)
            {
                await PublishAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var signals = 0;
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                if (Interlocked.Increment(ref signals) == 1)
                {
                    Log.SignalReceived(_logger, context.Signal.ToString());
                    stop.Cancel();
                }
                else
                {
                    _orchestrator.KillAll();
                }
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);

            try
            {
                await StartAsync(stop.Token).ConfigureAwait(false);
                ResourceTable.Write(_output, ResourceNotifications.GetCurrentSnapshots());
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl+C or the caller's token: fall through to the graceful stop.
            }
            finally
            {
                await _orchestrator.StopAsync().ConfigureAwait(false);
                await StopDashboardAsync().ConfigureAwait(false);
            }
        }
        catch (DistributedApplicationException ex) when (Options.ExitOnError)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            Environment.ExitCode = 1;
        }
    }

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await _orchestrator.DisposeAsync().ConfigureAwait(false);
        await StopDashboardAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _exitHandlersRegistered, 0) == 1)
        {
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
        }

        if (_ownsLoggerFactory)
        {
            _loggerFactory.Dispose();
        }
    }

    /// <summary>Starts the dashboard before any resource so its OTLP receiver is the default endpoint, and prints its login URL.</summary>
    private async Task StartDashboardAsync(CancellationToken cancellationToken)
    {
        Dashboard = await DashboardServer.StartAsync(this, cancellationToken).ConfigureAwait(false);
        if (Options.OtlpEndpoint is null)
        {
            Options.OtlpEndpoint = Dashboard.OtlpUrl;
            Options.OtlpProtocol = "http/protobuf";
            Options.OtlpHeaders = $"{OtlpHttpApi.ApiKeyHeader}={Dashboard.OtlpApiKey}";
        }

        await _output.WriteLineAsync($"Dashboard: {Dashboard.LoginUrl}").ConfigureAwait(false);
        Log.DashboardStarted(_logger, Dashboard.Url.ToString(), Dashboard.OtlpUrl.ToString());
    }

    private async Task StopDashboardAsync()
    {
        if (Dashboard is { } dashboard)
        {
            Dashboard = null;
            await dashboard.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        if (ExecutionContext.PublishOptions is { } publish)
        {
            if (publish.ShowHelp)
            {
                await _output.WriteLineAsync(PublishCommandLine.HelpText).ConfigureAwait(false);
                return;
            }

            if (publish.Error is not null)
            {
                throw new DistributedApplicationException(publish.Error + "\n\n" + PublishCommandLine.HelpText);
            }

            await DeploymentPublisher.PublishAsync(_builder.Resources, _builder.AppHostDirectory, publish, _output, cancellationToken).ConfigureAwait(false);
            return;
        }

        var path = ManifestPublisher.ResolveOutputPath(ExecutionContext.OutputPath);
        ManifestPublisher.Write(_builder.Resources, path);
        Log.PublishedManifest(_logger, path);
    }

    /// <summary>If the AppHost exits without a graceful stop (unhandled exception, Environment.Exit), kill every child tree.</summary>
    private void RegisterExitHandlers()
    {
        if (Interlocked.Exchange(ref _exitHandlersRegistered, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => _orchestrator.KillAll();

    private void OnUnhandledException(object? sender, UnhandledExceptionEventArgs e) => _orchestrator.KillAll();
}
