using Dsl.Parquet.Metadata;
using Dsl.Parquet.Reading;

namespace Dsl.Parquet;

/// <summary>
/// A top-level field of a Parquet file's schema, with the <see cref="ColumnField"/> it reads as, or the reason it
/// cannot be read (<see cref="UnsupportedReason"/>). Nested groups are listed too, so tools can show the whole schema.
/// </summary>
public sealed class ParquetColumnInfo
{
    internal ParquetColumnInfo(SchemaElement element, int leafIndex, int leafCount, FieldPlan? plan, string? unsupportedReason)
    {
        Element = element;
        LeafIndex = leafIndex;
        LeafCount = leafCount;
        Plan = plan;
        Field = plan?.Field;
        UnsupportedReason = plan is null ? unsupportedReason ?? $"Column '{element.Name}' cannot be read." : null;
    }

    /// <summary>The field name.</summary>
    public string Name => Element.Name;

    /// <summary>The schema element describing the field.</summary>
    internal SchemaElement Element { get; }

    /// <summary>Whether the field is a group (struct, list or map) rather than a leaf column.</summary>
    public bool IsGroup => Element.Type is null;

    /// <summary>The index, within each row group's column chunks, of the field's first leaf.</summary>
    public int LeafIndex { get; }

    /// <summary>How many leaf columns (column chunks) the field spans: 1 for a leaf.</summary>
    public int LeafCount { get; }

    /// <summary>The batch column the field reads as; null when it is not supported.</summary>
    public ColumnField? Field { get; }

    /// <summary>Why the field cannot be read, as a full sentence; null when it can.</summary>
    public string? UnsupportedReason { get; }

    /// <summary>Whether the field can be read.</summary>
    public bool IsSupported => Field is not null;

    /// <summary>Whether a timestamp or time field is marked adjusted to UTC (an instant rather than a local date-time); see <see cref="ColumnField.IsAdjustedToUtc"/>.</summary>
    public bool IsAdjustedToUtc => Field?.IsAdjustedToUtc ?? false;

    /// <summary>The physical type in the spec's spelling (e.g. <c>INT64</c>), or <c>group</c>.</summary>
    public string PhysicalTypeName => SchemaElementNames.PhysicalType(Element);

    /// <summary>The logical (or legacy converted) annotation in the spec's spelling, or an empty string when there is none.</summary>
    public string LogicalTypeName => SchemaElementNames.LogicalType(Element);

    /// <summary>The repetition in the spec's spelling.</summary>
    public string RepetitionName => SchemaElementNames.Repetition(Element);

    /// <summary>How the field is assembled from its leaves; null when it is not supported.</summary>
    internal FieldPlan? Plan { get; }
}
