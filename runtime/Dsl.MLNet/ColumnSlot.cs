using Microsoft.ML;

namespace Dsl.MLNet;

/// <summary>
/// The getter of one active column of a cursor: bound to each batch's column as the cursor reaches it, and reading
/// the cursor's current row.
/// </summary>
internal abstract class ColumnSlot
{
    private protected ColumnSlot(DslRowCursor cursor, ColumnBinding binding)
    {
        Cursor = cursor;
        Binding = binding;
    }

    private protected DslRowCursor Cursor { get; }

    private protected ColumnBinding Binding { get; }

    /// <summary>The <see cref="ValueGetter{TValue}"/> of the column's ML.NET type; made once per cursor.</summary>
    public abstract Delegate Getter { get; }

    /// <summary>Points the getter at the column of the batch the cursor just reached.</summary>
    public abstract void Bind(Column column);

    /// <summary>A slot for <paramref name="binding"/>'s column in <paramref name="cursor"/>.</summary>
    public static ColumnSlot Create(DslRowCursor cursor, ColumnBinding binding) => binding.Kind switch
    {
        ValueKind.Direct => binding.Field.Type switch
        {
            ColumnType.Float => new DirectSlot<float>(cursor, binding),
            ColumnType.Double => new DirectSlot<double>(cursor, binding),
            ColumnType.Int8 => new DirectSlot<sbyte>(cursor, binding),
            ColumnType.Int16 => new DirectSlot<short>(cursor, binding),
            ColumnType.Int32 => new DirectSlot<int>(cursor, binding),
            ColumnType.Int64 => new DirectSlot<long>(cursor, binding),
            ColumnType.UInt8 => new DirectSlot<byte>(cursor, binding),
            ColumnType.UInt16 => new DirectSlot<ushort>(cursor, binding),
            ColumnType.UInt32 => new DirectSlot<uint>(cursor, binding),
            ColumnType.UInt64 => new DirectSlot<ulong>(cursor, binding),
            ColumnType.Boolean => new DirectSlot<bool>(cursor, binding),
            ColumnType t => throw new InvalidOperationException($"No direct slot for {t}."),
        },
        ValueKind.NullableIntegerAsDouble => binding.Field.Type switch
        {
            ColumnType.Int8 => new IntegerAsDoubleSlot<sbyte>(cursor, binding),
            ColumnType.Int16 => new IntegerAsDoubleSlot<short>(cursor, binding),
            ColumnType.Int32 => new IntegerAsDoubleSlot<int>(cursor, binding),
            ColumnType.Int64 => new IntegerAsDoubleSlot<long>(cursor, binding),
            ColumnType.UInt8 => new IntegerAsDoubleSlot<byte>(cursor, binding),
            ColumnType.UInt16 => new IntegerAsDoubleSlot<ushort>(cursor, binding),
            ColumnType.UInt32 => new IntegerAsDoubleSlot<uint>(cursor, binding),
            ColumnType.UInt64 => new IntegerAsDoubleSlot<ulong>(cursor, binding),
            ColumnType t => throw new InvalidOperationException($"No integer slot for {t}."),
        },
        ValueKind.HalfAsSingle => new HalfSlot(cursor, binding),
        ValueKind.Text => new TextSlot(cursor, binding),
        ValueKind.Timestamp => new ConvertedSlot<long, DateTime>(cursor, binding, static (_, micros) => Timestamps.FromMicros(micros)),
        ValueKind.TimestampUtc => new ConvertedSlot<long, DateTimeOffset>(cursor, binding, static (_, micros) => Timestamps.FromMicrosOffset(micros)),
        ValueKind.Date => new ConvertedSlot<int, DateTime>(cursor, binding, static (_, days) => new DateTime(DateTime.UnixEpoch.Ticks + (days * TimeSpan.TicksPerDay), DateTimeKind.Unspecified)),
        ValueKind.Time => new ConvertedSlot<long, TimeSpan>(cursor, binding, static (slot, nanos) => nanos % 100 == 0 ? new TimeSpan(nanos / 100) : throw slot.ValueError($"holds {nanos} ns past midnight, which has digits below the 100 ns ticks of ML.NET's TimeSpan")),
        ValueKind k => throw new InvalidOperationException($"No slot for {k}."),
    };

    /// <summary>The error for a null where the ML.NET type has no missing value.</summary>
    private protected InvalidDataException NullError() =>
        Cursor.Error($"column '{Binding.Name}' ({Binding.Field.TypeName}) is null, but ML.NET's {Binding.Type} has no missing value. Give it a value in the pipeline (for example x ?? default) or leave the column out of the view.");

    /// <summary>The error for a value the ML.NET type cannot hold exactly.</summary>
    internal InvalidDataException ValueError(string what) => Cursor.Error($"column '{Binding.Name}' ({Binding.Field.TypeName}) {what}; the view does not round it.");

    /// <summary>The stored type is the view's: float and double nulls read as NaN, other nulls stop the cursor.</summary>
    private sealed class DirectSlot<T> : ColumnSlot
        where T : unmanaged
    {
        private readonly ValueGetter<T> _getter;
        private PrimitiveColumn<T>? _column;

        public DirectSlot(DslRowCursor cursor, ColumnBinding binding)
            : base(cursor, binding) => _getter = Get;

        public override Delegate Getter => _getter;

        public override void Bind(Column column) => _column = (PrimitiveColumn<T>)column;

        private void Get(ref T value)
        {
            int row = Cursor.CheckRow();
            PrimitiveColumn<T> column = _column!;
            if (column.IsNull(row))
            {
                // typeof(T) tests are constants after JIT: only float and double columns have a missing value.
                if (typeof(T) == typeof(float))
                {
                    value = (T)(object)float.NaN;
                    return;
                }
                if (typeof(T) == typeof(double))
                {
                    value = (T)(object)double.NaN;
                    return;
                }
                throw NullError();
            }
            value = column[row];
        }
    }

    /// <summary>A nullable integer column as Double: null is NaN; a 64-bit value beyond Double's exact range stops the cursor.</summary>
    private sealed class IntegerAsDoubleSlot<T> : ColumnSlot
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        private readonly ValueGetter<double> _getter;
        private PrimitiveColumn<T>? _column;

        public IntegerAsDoubleSlot(DslRowCursor cursor, ColumnBinding binding)
            : base(cursor, binding) => _getter = Get;

        public override Delegate Getter => _getter;

        public override void Bind(Column column) => _column = (PrimitiveColumn<T>)column;

        private void Get(ref double value)
        {
            int row = Cursor.CheckRow();
            PrimitiveColumn<T> column = _column!;
            if (column.IsNull(row))
            {
                value = double.NaN;
                return;
            }
            T stored = column[row];
            double d = double.CreateTruncating(stored);
            // Integers of up to 32 bits are all exact in a double; 64-bit ones only up to 2^53 and some beyond.
            if (System.Runtime.CompilerServices.Unsafe.SizeOf<T>() == 8 && Int128.CreateSaturating(d) != Int128.CreateTruncating(stored))
            {
                throw ValueError($"holds {stored}, which a Double (the type of a nullable integer column in the view) cannot hold exactly");
            }
            value = d;
        }
    }

    /// <summary>FLOAT16 as Single: exact; null is NaN.</summary>
    private sealed class HalfSlot : ColumnSlot
    {
        private readonly ValueGetter<float> _getter;
        private PrimitiveColumn<Half>? _column;

        public HalfSlot(DslRowCursor cursor, ColumnBinding binding)
            : base(cursor, binding) => _getter = Get;

        public override Delegate Getter => _getter;

        public override void Bind(Column column) => _column = (PrimitiveColumn<Half>)column;

        private void Get(ref float value)
        {
            int row = Cursor.CheckRow();
            PrimitiveColumn<Half> column = _column!;
            value = column.IsNull(row) ? float.NaN : (float)column[row];
        }
    }

    /// <summary>
    /// Strings as Text over the dictionary's decoded entries: each entry is decoded once (the dictionary caches its
    /// strings), and every row of an entry gets memory over that one string, so no row allocates.
    /// </summary>
    private sealed class TextSlot : ColumnSlot
    {
        private readonly ValueGetter<ReadOnlyMemory<char>> _getter;
        private StringColumn? _column;
        private string[] _strings = [];

        public TextSlot(DslRowCursor cursor, ColumnBinding binding)
            : base(cursor, binding) => _getter = Get;

        public override Delegate Getter => _getter;

        public override void Bind(Column column)
        {
            _column = (StringColumn)column;
            _strings = _column.Dictionary.Strings;
        }

        private void Get(ref ReadOnlyMemory<char> value)
        {
            int row = Cursor.CheckRow();
            StringColumn column = _column!;
            if (column.IsNull(row))
            {
                throw NullError();
            }
            value = _strings[column.Indices[row]].AsMemory();
        }
    }

    /// <summary>A stored value converted by a function; nulls stop the cursor.</summary>
    private sealed class ConvertedSlot<TStored, TValue> : ColumnSlot
        where TStored : unmanaged
    {
        private readonly ValueGetter<TValue> _getter;
        private readonly Func<ColumnSlot, TStored, TValue> _convert;
        private PrimitiveColumn<TStored>? _column;

        public ConvertedSlot(DslRowCursor cursor, ColumnBinding binding, Func<ColumnSlot, TStored, TValue> convert)
            : base(cursor, binding)
        {
            _convert = convert;
            _getter = Get;
        }

        public override Delegate Getter => _getter;

        public override void Bind(Column column) => _column = (PrimitiveColumn<TStored>)column;

        private void Get(ref TValue value)
        {
            int row = Cursor.CheckRow();
            PrimitiveColumn<TStored> column = _column!;
            if (column.IsNull(row))
            {
                throw NullError();
            }
            value = _convert(this, column[row]);
        }
    }
}
