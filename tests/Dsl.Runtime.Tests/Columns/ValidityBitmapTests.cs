namespace Dsl.Runtime.Tests.Columns;

public sealed class ValidityBitmapTests
{
    public static TheoryData<int> Lengths => [0, 1, 63, 64, 65, 128, 130];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void NewAllValid_EveryRowValid_NoNulls(int length)
    {
        var bitmap = new ValidityBitmap(length);

        Assert.Equal(length, bitmap.Length);
        Assert.Equal((length + 63) / 64, bitmap.Words.Length);
        Assert.Equal(0, bitmap.CountNulls());
        for (int i = 0; i < length; i++)
        {
            Assert.True(bitmap.IsValid(i));
        }
        AssertTailClear(bitmap);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void NewAllNull_EveryRowNull(int length)
    {
        var bitmap = new ValidityBitmap(length, allValid: false);

        Assert.Equal(length, bitmap.CountNulls());
        for (int i = 0; i < length; i++)
        {
            Assert.False(bitmap.IsValid(i));
        }
        Assert.All(bitmap.Words.ToArray(), w => Assert.Equal(0UL, w));
    }

    [Fact]
    public void Length65_TailOfLastWordIsZero()
    {
        var bitmap = new ValidityBitmap(65);

        Assert.Equal(ulong.MaxValue, bitmap.Words[0]);
        Assert.Equal(1UL, bitmap.Words[1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(129)]
    public void Set_TogglesOnlyThatRow(int row)
    {
        var bitmap = new ValidityBitmap(130);

        bitmap.Set(row, false);

        Assert.False(bitmap.IsValid(row));
        Assert.Equal(1, bitmap.CountNulls());
        for (int i = 0; i < bitmap.Length; i++)
        {
            Assert.Equal(i != row, bitmap.IsValid(i));
        }

        bitmap.Set(row, true);
        Assert.True(bitmap.IsValid(row));
        Assert.Equal(0, bitmap.CountNulls());
    }

    [Fact]
    public void CountNulls_CountsClearedBitsAcrossWords()
    {
        var bitmap = new ValidityBitmap(200);
        int expected = 0;
        for (int i = 0; i < 200; i += 3)
        {
            bitmap.Set(i, false);
            expected++;
        }

        Assert.Equal(expected, bitmap.CountNulls());
    }

    [Theory]
    [InlineData(130, 65)]
    [InlineData(130, 64)]
    [InlineData(130, 63)]
    [InlineData(130, 1)]
    [InlineData(130, 0)]
    [InlineData(64, 64)]
    public void Truncate_ClearsTail_CountsOnlyRemainingRows(int length, int truncated)
    {
        var bitmap = new ValidityBitmap(length);
        bitmap.Set(truncated / 2, false);

        bitmap.Truncate(truncated);

        Assert.Equal(truncated, bitmap.Length);
        AssertTailClear(bitmap);
        Assert.Equal(truncated == 0 ? 0 : 1, bitmap.CountNulls());
    }

    [Fact]
    public void Truncate_DropsNullsPastTheNewLength()
    {
        var bitmap = new ValidityBitmap(100);
        bitmap.Set(80, false);

        bitmap.Truncate(70);

        Assert.Equal(0, bitmap.CountNulls());
    }

    [Fact]
    public void Truncate_Longer_Throws()
    {
        var bitmap = new ValidityBitmap(10);

        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.Truncate(11));
    }

    [Fact]
    public void Truncate_Negative_Throws()
    {
        var bitmap = new ValidityBitmap(10);

        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.Truncate(-1));
        Assert.Equal(10, bitmap.Length);
    }

    [Fact]
    public void NegativeLength_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValidityBitmap(-1));
    }

    private static void AssertTailClear(ValidityBitmap bitmap)
    {
        Span<ulong> words = bitmap.Words;
        for (int bit = bitmap.Length; bit < words.Length * 64; bit++)
        {
            Assert.True((words[bit >> 6] & (1UL << bit)) == 0, $"Bit {bit} past the length {bitmap.Length} is set.");
        }
    }

    [Fact]
    public void UserBitmap_OutlivesItsColumn()
    {
        var bitmap = new ValidityBitmap(3);
        bitmap.Set(1, false);
        var column = PrimitiveColumn<int>.FromArray(ColumnType.Int32, [1, 2, 3], bitmap);

        column.Dispose();

        // Only bitmaps the runtime rented go back to the pool; one the caller made stays readable.
        Assert.False(bitmap.IsValid(1));
        Assert.Equal(1, bitmap.CountNulls());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void BuilderBitmap_StartsClean_WhateverThePoolHeld(int length)
    {
        // Leave set bits in the pooled words the next builder may rent.
        var dirty = new ColumnBuilder<int>(ColumnType.Int32, length + 64, nullable: true);
        dirty.Validity!.Words.Fill(ulong.MaxValue);
        dirty.Validity.Set(0, false);
        dirty.Build(length + 64).Dispose();

        var builder = new ColumnBuilder<int>(ColumnType.Int32, length, nullable: true);

        Assert.Equal((length + 63) / 64, builder.Validity!.Words.Length);
        Assert.Equal(0, builder.Validity.CountNulls());
        AssertTailClear(builder.Validity);
    }

    [Fact]
    public void BuilderBitmap_ReturnedWithItsColumn_ThenThrows()
    {
        var builder = new ColumnBuilder<double>(ColumnType.Double, 100, nullable: true);
        builder.Validity!.Set(42, false);
        PrimitiveColumn<double> column = builder.Build(100);
        ValidityBitmap validity = column.Validity!;
        Assert.True(column.IsNull(42));

        column.Dispose();

        Assert.Equal(100, validity.Length);
        Assert.Throws<ObjectDisposedException>(() => validity.IsValid(42));
        Assert.Throws<ObjectDisposedException>(() => validity.Words.Length);
        Assert.Throws<ObjectDisposedException>(() => validity.CountNulls());
        column.Dispose(); // returns nothing twice
    }
}
