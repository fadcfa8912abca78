using System.Reflection;
using System.Runtime.InteropServices;

namespace MlAspire.Imaging.Native;

/// <summary>
/// Resolves the logical library names used by the <c>LibraryImport</c> declarations to the shared objects that
/// Debian's <c>libturbojpeg0</c> and <c>libspng0</c> install, and fails with a message that says what to install.
/// </summary>
internal static class NativeLibraries
{
    public const string TurboJpeg = "mlaspire-turbojpeg";
    public const string Spng = "mlaspire-spng";

    private static readonly string[] s_turboJpegCandidates =
        ["libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib", "turbojpeg.dll"];

    private static readonly string[] s_spngCandidates =
        ["libspng.so.0", "libspng.so", "libspng.0.dylib", "libspng.dylib", "spng.dll"];

    private static readonly Lock s_gate = new();
    private static bool s_resolverInstalled;
    private static nint s_turboJpeg;
    private static nint s_spng;

    /// <summary>Loads libturbojpeg or throws <see cref="DllNotFoundException"/> naming the package to install.</summary>
    public static void EnsureTurboJpeg() => Ensure(ref s_turboJpeg, s_turboJpegCandidates, "libturbojpeg0");

    /// <summary>Loads libspng or throws <see cref="DllNotFoundException"/> naming the package to install.</summary>
    public static void EnsureSpng() => Ensure(ref s_spng, s_spngCandidates, "libspng0");

    private static void Ensure(ref nint handle, string[] candidates, string debianPackage)
    {
        if (Volatile.Read(ref handle) != 0)
        {
            return;
        }

        lock (s_gate)
        {
            if (handle != 0)
            {
                return;
            }

            if (!s_resolverInstalled)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
                s_resolverInstalled = true;
            }

            Volatile.Write(ref handle, LoadFirst(candidates, debianPackage));
        }
    }

    /// <summary>Loads the first candidate that loads, or throws a <see cref="DllNotFoundException"/> that says what to install.</summary>
    internal static nint LoadFirst(string[] candidates, string debianPackage)
    {
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var loaded))
            {
                return loaded;
            }
        }

        throw new DllNotFoundException(
            $"Could not load {candidates[0]} (tried {string.Join(", ", candidates)}). "
            + $"Install the Debian package {debianPackage} (eng/setup.sh does) or put the library on the loader path.");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        TurboJpeg => Volatile.Read(ref s_turboJpeg),
        Spng => Volatile.Read(ref s_spng),
        _ => 0,
    };
}
