using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc.Tests.Client;

public sealed class AddressPickerTests
{
    private static readonly Uri[] s_addresses = [new("http://127.0.0.1:1"), new("http://127.0.0.1:2"), new("http://127.0.0.1:3")];

    [Fact]
    public void PicksAddressesInTurn()
    {
        var picker = new AddressPicker(s_addresses, TimeSpan.FromMinutes(1));
        var picks = Enumerable.Range(0, 6).Select(_ => picker.Pick()).ToArray();
        Assert.Equal([0, 1, 2, 0, 1, 2], picks);
    }

    [Fact]
    public void SkipsAnAddressWhileItBacksOffAndReturnsAfterSuccess()
    {
        var picker = new AddressPicker(s_addresses, TimeSpan.FromMinutes(1));
        picker.ReportConnectFailure(1);
        var picks = Enumerable.Range(0, 6).Select(_ => picker.Pick()).ToArray();
        Assert.DoesNotContain(1, picks);
        picker.ReportSuccess(1);
        Assert.Contains(1, Enumerable.Range(0, 3).Select(_ => picker.Pick()));
    }

    [Fact]
    public void TriesAnywayWhenEveryAddressBacksOff()
    {
        var picker = new AddressPicker(s_addresses, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 3; i++)
        {
            picker.ReportConnectFailure(i);
        }

        Assert.InRange(picker.Pick(), 0, 2);
    }
}
