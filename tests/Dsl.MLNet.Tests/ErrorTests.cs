using Dsl.Testing;
using Microsoft.ML;

namespace Dsl.MLNet.Tests;

/// <summary>What the view refuses, and what its messages name.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-mlnet");

    public void Dispose() => _temp.Dispose();

    private string UnmappedOutput() => Outputs.Run(_temp, UnmappedCopy.Compiled, [[new Unmapped(1, 2.5m, Guid.NewGuid(), 3), new Unmapped(2, 4.25m, Guid.NewGuid(), 5)]]);

    [Fact]
    public void AMissingColumn_IsNamed_WithTheColumnsThereAre()
    {
        string output = UnmappedOutput();
        var error = Assert.Throws<ArgumentException>(() => DslDataView.FromParquet(output, columns: ["Id", "Nope"]));
        Assert.StartsWith("The output has no column 'Nope'; its columns are Id, Price, Key, X", error.Message);
        error = Assert.Throws<ArgumentException>(() => DslDataView.FromParquet(output, columns: ["X", "X"]));
        Assert.StartsWith("Column 'X' is named twice.", error.Message);
    }

    [Fact]
    public void AnUnsupportedType_IsRefusedNamingColumnAndType_AndTheOtherColumnsStillRead()
    {
        string output = UnmappedOutput();
        var error = Assert.Throws<NotSupportedException>(() => DslDataView.FromParquet(output));
        Assert.Equal("Column 'Price' has type Decimal(12,2), which the ML.NET view does not hold: ML.NET has no decimal type; convert the column to double in the pipeline. Name the view's columns (columns:) without it.", error.Message);
        error = Assert.Throws<NotSupportedException>(() => DslDataView.FromParquet(output, columns: ["Id", "Key"]));
        Assert.StartsWith("Column 'Key' has type Uuid, which the ML.NET view does not hold: ML.NET has no type for bytes", error.Message);

        DslDataView view = DslDataView.FromParquet(output, columns: ["X", "Id"]);
        Assert.Equal(["X", "Id"], view.Schema.Select(c => c.Name));
        object?[][] want = [[3.0, 1L], [5.0, 2L]];
        Assert.Equal(want, ViewRows.Read(view, "X", "Id"));
    }

    [Fact]
    public void ADamagedFooter_IsNamedWhenTheViewOpens()
    {
        string output = UnmappedOutput();
        string part = DslDataView.FromParquet(output, columns: ["X"]).Output.Parts[0].Path;
        using (var file = new FileStream(part, FileMode.Open, FileAccess.ReadWrite))
        {
            // Same size, so the manifest's size check passes: only reading the part finds the damage.
            file.Position = file.Length - 4;
            file.Write("XXXX"u8);
        }
        var error = Assert.Throws<InvalidDataException>(() => DslDataView.FromParquet(output, columns: ["X"]));
        Assert.StartsWith($"{part}: the part is damaged or not a Parquet file:", error.Message);
    }

    [Fact]
    public void AGetterOfAnotherType_OrOfAnInactiveColumn_IsRefused()
    {
        DslDataView view = DslDataView.FromParquet(UnmappedOutput(), columns: ["Id", "X"]);
        using DataViewRowCursor cursor = view.GetRowCursor([view.Schema["X"]]);
        var error = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(view.Schema["X"]));
        Assert.Equal("Column 'X' is Double (Double), not Single.", error.Message);
        error = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<long>(view.Schema["Id"]));
        Assert.StartsWith("Column 'Id' is not active in this cursor", error.Message);
        Assert.False(cursor.IsColumnActive(view.Schema["Id"]));
        ValueGetter<double> x = cursor.GetGetter<double>(view.Schema["X"]);
        double value = 0;
        // Before MoveNext there is no row to read.
        Assert.Throws<InvalidOperationException>(() => x(ref value));
        Assert.True(cursor.MoveNext());
        x(ref value);
        Assert.Equal(3.0, value);
    }

    [Fact]
    public void AFolderWithoutACommittedOutput_IsRefusedByCommittedOutput()
    {
        string folder = _temp.CreateSubdirectory("not-an-output");
        var error = Assert.Throws<InvalidDataException>(() => DslDataView.FromParquet(folder));
        Assert.Contains("no committed Dsl output here", error.Message);
    }
}
