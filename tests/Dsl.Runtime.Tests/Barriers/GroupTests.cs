namespace Dsl.Runtime.Tests.Barriers;

/// <summary>The in-memory definition of an aggregate's functions (<see cref="Group{TRow}"/>) on the cases its docs name.</summary>
public sealed class GroupTests
{
    private sealed record Row(string? Name, double? Amount, long Order);

    [Fact]
    public void MinMaxFirstLast_OnStrings_UseUtf8ByteOrder_NotCulture()
    {
        var group = new Group<Row>([new("a", 1, 1), new("B", 2, 2), new("é", 3, 3), new("z", 4, 3), new(null, 5, 0)]);

        // Byte order: "B" (0x42) < "a" (0x61) < "z" (0x7A) < "é" (0xC3 0xA9); culture order would give "a" first and "z" last.
        Assert.Equal("B", group.Min(r => r.Name));
        Assert.Equal("é", group.Max(r => r.Name));
        // Order 3 is tied between "é" and "z": Last takes the largest value in byte order.
        Assert.Equal("é", group.Last(r => r.Name, r => r.Order));
        // Ordered by name, the first row is "B"'s.
        Assert.Equal(2.0, group.First(r => r.Amount, r => r.Name));
    }

    [Fact]
    public void NullsAndNaN_AreLeftOutOfEveryStatisticButCount()
    {
        var group = new Group<Row>([new("x", double.NaN, 1), new("x", null, 2), new("x", 4, 3), new("x", 2, 4)]);

        Assert.Equal(4, group.Count());
        Assert.Equal(2, group.CountValues(r => r.Amount));
        Assert.Equal(3.0, group.Mean(r => r.Amount));
        Assert.Equal(1.0, group.Variance(r => r.Amount));
        Assert.Equal(2.0, group.SampleVariance(r => r.Amount));
        Assert.Equal(2.0, group.Min(r => r.Amount));
        Assert.Equal(3L, group.Last(r => r.Order, r => r.Amount));
    }
}
