using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;

namespace Dsl.Gpu;

/// <summary>Marks an <see cref="ArrayView{T}"/> of <see cref="ulong"/> words of validity bits: it needs one word per 64 rows.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ValidityWordsAttribute : Attribute
{
}

/// <summary>
/// Marks a view the kernel indexes by a value rather than by row (a dictionary's entries, a model's tree nodes): its
/// length is not checked against the rows, so the kernel checks each index against the view's length itself.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class LookupAttribute : Attribute
{
}

/// <summary>The check a launch makes of a columns struct's views before the kernel runs.</summary>
public static class ViewLengths
{
    private static readonly ConcurrentDictionary<Type, ViewField[]> s_fields = new();

    /// <summary>
    /// Checks every <see cref="ArrayView{T}"/> field of <paramref name="columns"/>: at least <paramref name="rows"/>
    /// elements, or <c>ceil(rows / 64)</c> for <see cref="ValidityWordsAttribute"/> fields; <see cref="LookupAttribute"/>
    /// fields are not checked.
    /// </summary>
    /// <exception cref="ArgumentException">A view is too short; the message names the field, its length and what the rows need.</exception>
    public static void Check<TColumns>(in TColumns columns, int rows)
        where TColumns : struct
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var boxed = (object)columns;
        foreach (var field in s_fields.GetOrAdd(typeof(TColumns), Describe))
        {
            var length = (long)field.Length.GetValue(field.Field.GetValue(boxed))!;
            var needed = field.IsValidity ? ((long)rows + 63) / 64 : rows;
            if (length < needed)
            {
                var unit = field.IsValidity ? "validity words" : "elements";
                throw new ArgumentException(
                    $"kernel launch refused: {typeof(TColumns).Name}.{field.Field.Name} has {length} {unit}; {rows} rows need {needed}",
                    nameof(columns));
            }
        }
    }

    private static ViewField[] Describe(Type type)
    {
        var fields = new List<ViewField>();
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (!field.FieldType.IsGenericType || field.FieldType.GetGenericTypeDefinition() != typeof(ArrayView<>))
            {
                continue;
            }

            if (field.IsDefined(typeof(LookupAttribute)))
            {
                continue;
            }

            var isValidity = field.IsDefined(typeof(ValidityWordsAttribute));
            if (isValidity && field.FieldType != typeof(ArrayView<ulong>))
            {
                throw new ArgumentException($"{type.Name}.{field.Name}: [ValidityWords] needs an ArrayView<ulong>");
            }

            fields.Add(new ViewField(field, field.FieldType.GetProperty(nameof(ArrayView<byte>.Length))!, isValidity));
        }

        return [.. fields];
    }

    private sealed record ViewField(FieldInfo Field, PropertyInfo Length, bool IsValidity);
}
