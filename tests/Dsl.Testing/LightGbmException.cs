namespace Dsl.Testing;

/// <summary>A call into LightGBM's C library failed; <see cref="Exception.Message"/> carries LightGBM's own error text.</summary>
public sealed class LightGbmException : Exception
{
    /// <summary>Creates the exception for the C function <paramref name="function"/> failing with <paramref name="lightGbmError"/>.</summary>
    public LightGbmException(string function, string lightGbmError)
        : base($"LightGBM's {function} failed: {lightGbmError}")
    {
        Function = function;
        LightGbmError = lightGbmError;
    }

    /// <summary>The C function that failed, e.g. <c>LGBM_BoosterCreate</c>.</summary>
    public string Function { get; }

    /// <summary>The text <c>LGBM_GetLastError</c> returned after the failure.</summary>
    public string LightGbmError { get; }
}
