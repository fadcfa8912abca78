using System.Net;
using System.Net.Sockets;

namespace MlAspire.Hosting.Orchestration;

/// <summary>Picks free loopback ports by binding port 0. All listeners stay open until every port is chosen,
/// so the ports of one run are distinct.</summary>
internal static class PortAllocator
{
    public static int[] AllocateDistinct(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
                listener.Dispose();
            }
        }
    }
}
