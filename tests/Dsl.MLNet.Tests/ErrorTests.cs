using System.Text.Json.Nodes;
using Dsl.Parquet;
using Dsl.Testing;
using Microsoft.ML;

namespace Dsl.MLNet.Tests;

/// <summary>What the view refuses, and what its messages name.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-mlnet");

    public void Dispose() => _temp.Dispose();

    private string UnmappedOutput() => Outputs.Run(_temp, UnmappedCopy.Compiled, [[new Unmapped(1, 2.5m, Guid.NewGuid(), 3, [1], default, [1, 2]), new Unmapped(2, 4.25m, Guid.NewGuid(), 5, [], default, [])]]);

    [Fact]
    public void AMissingColumn_IsNamed_WithTheColumnsThereAre()
    {
        string output = UnmappedOutput();
        var error = Assert.Throws<ArgumentException>(() => DslDataView.FromParquet(output, columns: ["Id", "Nope"]));
        Assert.StartsWith("The output has no column 'Nope'; its columns are Id, Price, Key, X, Blob, Ns, Counts", error.Message);
        error = Assert.Throws<ArgumentException>(() => DslDataView.FromParquet(output, columns: ["X", "X"]));
        Assert.StartsWith("Column 'X' is named twice.", error.Message);
    }

    [Fact]
    public void AnUnsupportedType_IsRefusedNamingColumnAndType_AndTheOtherColumnsStillRead()
    {
        string output = UnmappedOutput();
        var error = Assert.Throws<NotSupportedException>(() => DslDataView.FromParquet(output));
        Assert.Equal("Column 'Price' has type Decimal(12,2), which the ML.NET view does not hold: ML.NET has no decimal type; convert the column to double in the pipeline. Name the view's columns (columns:) without it.", error.Message);
        (string Column, string Type, string Why)[] refused =
        [
            ("Key", "Uuid", "ML.NET has no type for bytes"),
            ("Blob", "Binary", "ML.NET has no type for bytes"),
            ("Ns", "TimestampNanos", "ML.NET's DateTime holds 100 ns ticks"),
            ("Counts", "List<element: Int32>", "the view reads flat columns only"),
        ];
        foreach ((string column, string type, string why) in refused)
        {
            error = Assert.Throws<NotSupportedException>(() => DslDataView.FromParquet(output, columns: ["Id", column]));
            Assert.StartsWith($"Column '{column}' has type {type}, which the ML.NET view does not hold: {why}", error.Message);
            Assert.EndsWith(" Leave it out of columns:.", error.Message);
        }

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
        Assert.Equal($"{part}: the part is damaged or not a Parquet file: The file does not start and end with the Parquet magic bytes 'PAR1'; it is not a Parquet file or it is truncated.", error.Message);
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
    public void AGetterAfterTheLastRow_OrAfterDispose_IsRefused()
    {
        DslDataView view = DslDataView.FromParquet(UnmappedOutput(), columns: ["Id", "X"]);
        DataViewRowCursor cursor = view.GetRowCursor([view.Schema["X"]]);
        ValueGetter<double> x = cursor.GetGetter<double>(view.Schema["X"]);
        double value = 0;
        while (cursor.MoveNext())
        {
            x(ref value);
        }

        Assert.Throws<InvalidOperationException>(() => x(ref value));
        cursor.Dispose();
        Assert.False(cursor.MoveNext());
        Assert.Throws<InvalidOperationException>(() => x(ref value));
    }

    [Fact]
    public void AFolderWithoutACommittedOutput_IsRefusedByCommittedOutput()
    {
        string folder = _temp.CreateSubdirectory("not-an-output");
        var error = Assert.Throws<InvalidDataException>(() => DslDataView.FromParquet(folder));
        Assert.Contains("no committed Dsl output here", error.Message);
    }

    [Fact]
    public void APartWithAnotherSchema_IsNamedWhenTheViewOpens()
    {
        Typed[] rows = [.. Enumerable.Range(0, 10).Select(i => new Typed(i, i, i, 0, 0, 0, 0, 0, 0, 0, 0, Half.One, true, "s", default, default, default, default))];
        string output = Outputs.Run(_temp, TypedCopy.Compiled, [rows[..5], rows[5..]]);
        DslDataView view = DslDataView.FromParquet(output);
        string first = view.Output.Parts[0].Path, second = view.Output.Parts[1].Path;

        // Replace the second part by one whose F is nullable, and make the manifest list its size, as a tool that
        // rewrote the part and its manifest entry would: only the parts' own schemas can tell.
        Nullables[] other = [.. Enumerable.Range(5, 5).Select(i => new Nullables(i, i, i, null, null, null, null, null, null, null))];
        using (RecordBatch batch = Nullables.ToBatch(other))
        using (var writer = new ParquetFileWriter(second, Nullables.BatchSchema, new ParquetWriteOptions()))
        {
            writer.WriteBatch(batch);
        }
        string manifestPath = Path.Combine(output, "_manifest.json");
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        foreach (JsonNode? file in manifest["outputs"]![0]!["files"]!.AsArray())
        {
            if (Path.GetFileName((string)file!["path"]!) == Path.GetFileName(second))
            {
                file["bytes"] = new FileInfo(second).Length;
            }
        }
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => DslDataView.FromParquet(output, columns: ["Id", "F"]));
        Assert.Equal($"{second}: column 'F' is F: Float?, but in {first} it is F: Float; the parts of one output must share a schema.", error.Message);
    }

    [Fact]
    public void APartChangedAfterTheCommit_IsRefused_BySizeOrByRowCount()
    {
        Typed[] rows = [.. Enumerable.Range(0, 10).Select(i => new Typed(i, i, i, 0, 0, 0, 0, 0, 0, 0, 0, Half.One, true, "s", default, default, default, default))];
        string output = Outputs.Run(_temp, TypedCopy.Compiled, [rows]);
        string manifestPath = Path.Combine(output, "_manifest.json");
        string original = File.ReadAllText(manifestPath);

        // A manifest whose row count is not the parts' (the footers are read when the view opens).
        JsonNode manifest = JsonNode.Parse(original)!;
        manifest["outputs"]![0]!["files"]![0]!["rows"] = 11;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        var error = Assert.Throws<InvalidDataException>(() => DslDataView.FromParquet(output));
        string first = Path.Combine(output, "part-00000.parquet");
        Assert.Equal($"{first}: 10 rows, but {manifestPath} lists 11; the output was changed after its run committed it.", error.Message);

        // A part of another size than its manifest entry: CommittedOutput refuses it before any footer is read.
        File.WriteAllText(manifestPath, original);
        string part = DslDataView.FromParquet(output).Output.Parts[0].Path;
        File.AppendAllText(part, "x");
        error = Assert.Throws<InvalidDataException>(() => DslDataView.FromParquet(output));
        Assert.StartsWith($"{part}: ", error.Message);
        Assert.Contains("the output was changed after its run committed it", error.Message);
    }
}
