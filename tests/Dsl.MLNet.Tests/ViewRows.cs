using System.Reflection;
using Microsoft.ML;

namespace Dsl.MLNet.Tests;

/// <summary>Reads a view's rows through ML.NET's own getters, boxed, with Text as string.</summary>
internal static class ViewRows
{
    /// <summary>Every row of <paramref name="names"/>, through one serial cursor.</summary>
    public static List<object?[]> Read(IDataView view, params string[] names)
    {
        DataViewSchema.Column[] columns = [.. names.Select(n => view.Schema[n])];
        using DataViewRowCursor cursor = view.GetRowCursor(columns);
        return Read(cursor, columns);
    }

    /// <summary>The remaining rows of <paramref name="cursor"/>.</summary>
    public static List<object?[]> Read(DataViewRowCursor cursor, DataViewSchema.Column[] columns)
    {
        Func<object?>[] getters = [.. columns.Select(c => Getter(cursor, c))];
        var rows = new List<object?[]>();
        while (cursor.MoveNext())
        {
            rows.Add([.. getters.Select(g => g())]);
        }
        return rows;
    }

    /// <summary>A boxing getter of <paramref name="column"/>'s raw type.</summary>
    public static Func<object?> Getter(DataViewRow row, DataViewSchema.Column column)
    {
        MethodInfo box = typeof(ViewRows).GetMethod(nameof(Box), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(column.Type.RawType);
        return (Func<object?>)box.Invoke(null, [row, column])!;
    }

    private static Func<object?> Box<T>(DataViewRow row, DataViewSchema.Column column)
    {
        ValueGetter<T> getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return value is ReadOnlyMemory<char> text ? text.ToString() : value;
        };
    }
}
