namespace Dsl;

/// <summary>An operation over a <see cref="PrimitiveColumn{T}"/> of any element type (see <see cref="Column.Accept{TResult}"/>).</summary>
internal interface IPrimitiveColumnVisitor<out TResult>
{
    TResult Visit<T>(PrimitiveColumn<T> column)
        where T : unmanaged;
}
