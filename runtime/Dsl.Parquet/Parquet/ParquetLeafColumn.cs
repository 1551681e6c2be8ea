using Dsl.Parquet.Metadata;

namespace Dsl.Parquet;

/// <summary>
/// A leaf (primitive) column of a Parquet file's schema, one of <see cref="ParquetMetadata.LeafColumns"/>: its path,
/// its types and repetition in the spec's spelling, and the levels its values carry.
/// </summary>
public sealed class ParquetLeafColumn
{
    // Deeper schemas are refused by the reader too; the bound keeps a hostile footer from exhausting the stack.
    private const int MaxDepth = 100;

    private ParquetLeafColumn(SchemaElement leaf, string path, int maxDefinitionLevel, int maxRepetitionLevel)
    {
        Path = path;
        Name = leaf.Name;
        PhysicalType = leaf.Type!.Value;
        PhysicalTypeName = SchemaElementNames.PhysicalType(leaf);
        LogicalTypeName = SchemaElementNames.LogicalType(leaf);
        RepetitionName = SchemaElementNames.Repetition(leaf);
        TypeLength = leaf.Type == PhysicalType.FixedLenByteArray ? leaf.TypeLength : null;
        MaxDefinitionLevel = maxDefinitionLevel;
        MaxRepetitionLevel = maxRepetitionLevel;
    }

    /// <summary>The dotted path from the root, e.g. <c>tags.list.element</c>.</summary>
    public string Path { get; }

    /// <summary>The leaf's own name, the last part of <see cref="Path"/>.</summary>
    public string Name { get; }

    /// <summary>The physical type of the stored values.</summary>
    public PhysicalType PhysicalType { get; }

    /// <summary>The physical type in the spec's spelling, e.g. <c>INT64</c> or <c>FIXED_LEN_BYTE_ARRAY(16)</c>.</summary>
    public string PhysicalTypeName { get; }

    /// <summary>The logical type, or the legacy converted type, in the spec's spelling (e.g. <c>TIMESTAMP(MICROS,UTC)</c>, <c>DECIMAL(9,2)</c>), or "" when there is none.</summary>
    public string LogicalTypeName { get; }

    /// <summary>The leaf's own repetition: <c>REQUIRED</c>, <c>OPTIONAL</c> or <c>REPEATED</c>.</summary>
    public string RepetitionName { get; }

    /// <summary>The byte width of a FIXED_LEN_BYTE_ARRAY leaf; null for other types.</summary>
    public int? TypeLength { get; }

    /// <summary>The leaf's maximum definition level: how many of it and its ancestors are optional or repeated.</summary>
    public int MaxDefinitionLevel { get; }

    /// <summary>The leaf's maximum repetition level: how many of it and its ancestors are repeated.</summary>
    public int MaxRepetitionLevel { get; }

    /// <summary>The leaves of a flattened schema (element 0 the root), depth first, which is column-chunk order.</summary>
    internal static ParquetLeafColumn[] Leaves(List<SchemaElement> schema)
    {
        var leaves = new List<ParquetLeafColumn>();
        int index = 1;
        int rootChildren = schema.Count == 0 ? 0 : schema[0].NumChildren ?? 0;
        for (int c = 0; c < rootChildren && index < schema.Count; c++)
        {
            Collect(schema, ref index, "", 0, 0, 1, leaves);
        }
        return [.. leaves];
    }

    private static void Collect(List<SchemaElement> schema, ref int index, string prefix, int definition, int repetition, int depth, List<ParquetLeafColumn> leaves)
    {
        SchemaElement e = schema[index++];
        string path = prefix.Length == 0 ? e.Name : prefix + "." + e.Name;
        FieldRepetition kind = e.Repetition ?? FieldRepetition.Required;
        definition += kind == FieldRepetition.Required ? 0 : 1;
        repetition += kind == FieldRepetition.Repeated ? 1 : 0;
        if (e.Type is not null && e.NumChildren is not > 0)
        {
            leaves.Add(new ParquetLeafColumn(e, path, definition, repetition));
            return;
        }
        int children = e.NumChildren ?? 0;
        for (int c = 0; c < children && index < schema.Count && depth < MaxDepth; c++)
        {
            Collect(schema, ref index, path, definition, repetition, depth + 1, leaves);
        }
    }
}
