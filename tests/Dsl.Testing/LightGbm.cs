using System.Runtime.InteropServices;
using System.Text;

namespace Dsl.Testing;

/// <summary>
/// LightGBM's own training and prediction, through its C library (<c>lib_lightgbm</c>, which the <c>LightGBM</c>
/// package puts beside the test binaries): the reference for tests of code that reads LightGBM models.
/// </summary>
/// <remarks>
/// <para>Feature matrices are dense, row-major float64 arrays of <c>rows × columns</c> values; NaN is a missing value,
/// as LightGBM reads it by default (<c>use_missing=true</c>).</para>
/// <para>Thread-safe: every call creates and frees its own LightGBM handles, and LightGBM keeps its last error per
/// thread.</para>
/// </remarks>
public static unsafe partial class LightGbm
{
    private const string Library = "lib_lightgbm";

    // The C API's constants (c_api.h).
    private const int DTypeFloat32 = 0;
    private const int DTypeFloat64 = 1;
    private const int PredictNormal = 0;
    private const int PredictRawScore = 1;
    private const int FeatureImportanceSplit = 0;
    private const int RowMajor = 1;
    private const int AllIterations = -1;

    /// <summary>
    /// Trains a model on <paramref name="features"/> and <paramref name="labels"/> for at most
    /// <paramref name="iterations"/> boosting rounds and returns it as LightGBM's model text.
    /// </summary>
    /// <param name="features">The rows, row-major: <paramref name="rows"/> × <paramref name="columns"/> values.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of features per row.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="parameters">
    /// LightGBM's parameters as <c>key=value</c> pairs separated by spaces, for both the dataset (binning) and the
    /// booster, e.g. <c>objective=binary num_leaves=15 verbose=-1 num_threads=1 deterministic=true seed=1</c>.
    /// </param>
    /// <param name="iterations">The number of boosting rounds; training stops earlier when no tree can split any more.</param>
    /// <param name="featureNames">The features' names in the model text, one per column; LightGBM's <c>Column_i</c> when null.</param>
    /// <exception cref="ArgumentException">The arrays do not match <paramref name="rows"/> and <paramref name="columns"/>.</exception>
    /// <exception cref="LightGbmException">LightGBM rejected the data or the parameters.</exception>
    public static string Train(double[] features, int rows, int columns, float[] labels, string parameters, int iterations, string[]? featureNames = null)
    {
        CheckMatrix(features, rows, columns);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (labels.Length != rows)
        {
            throw new ArgumentException($"There are {labels.Length} labels for {rows} rows.", nameof(labels));
        }

        nint dataset = 0;
        nint booster = 0;
        try
        {
            fixed (double* data = features)
            {
                Check(LGBM_DatasetCreateFromMat(data, DTypeFloat64, rows, columns, RowMajor, parameters, 0, &dataset), nameof(LGBM_DatasetCreateFromMat));
            }
            fixed (float* label = labels)
            {
                Check(LGBM_DatasetSetField(dataset, "label", label, rows, DTypeFloat32), nameof(LGBM_DatasetSetField));
            }
            if (featureNames is not null)
            {
                SetFeatureNames(dataset, featureNames);
            }
            Check(LGBM_BoosterCreate(dataset, parameters, &booster), nameof(LGBM_BoosterCreate));
            for (int iteration = 0; iteration < iterations; iteration++)
            {
                int finished;
                Check(LGBM_BoosterUpdateOneIter(booster, &finished), nameof(LGBM_BoosterUpdateOneIter));
                // No tree could split: LightGBM dropped this round's trees, and every further round would do the same.
                if (finished != 0)
                {
                    break;
                }
            }
            return SaveModelToString(booster);
        }
        finally
        {
            if (booster != 0)
            {
                _ = LGBM_BoosterFree(booster);
            }
            if (dataset != 0)
            {
                _ = LGBM_DatasetFree(dataset);
            }
        }
    }

    /// <summary>
    /// LightGBM's predictions of the model <paramref name="modelText"/> (all its iterations) for each row of
    /// <paramref name="features"/>: <c>rows × num_class</c> values, row-major.
    /// </summary>
    /// <param name="modelText">A model as <see cref="Train"/> returns it (LightGBM's model file format).</param>
    /// <param name="features">The rows, row-major: <paramref name="rows"/> × <paramref name="columns"/> values.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of features per row; LightGBM requires the model's own count.</param>
    /// <param name="raw">The raw scores (sums of leaf values) when true; else with the objective's transformation
    /// (the sigmoid for <c>binary</c>, the softmax for <c>multiclass</c>).</param>
    /// <exception cref="ArgumentException">The array does not match <paramref name="rows"/> and <paramref name="columns"/>.</exception>
    /// <exception cref="LightGbmException">LightGBM could not read the model or rejected the rows.</exception>
    public static double[] Predict(string modelText, double[] features, int rows, int columns, bool raw)
    {
        ArgumentNullException.ThrowIfNull(modelText);
        CheckMatrix(features, rows, columns);

        nint booster = 0;
        try
        {
            int iterations;
            Check(LGBM_BoosterLoadModelFromString(modelText, &iterations, &booster), nameof(LGBM_BoosterLoadModelFromString));
            int predictType = raw ? PredictRawScore : PredictNormal;
            long length;
            Check(LGBM_BoosterCalcNumPredict(booster, rows, predictType, 0, AllIterations, &length), nameof(LGBM_BoosterCalcNumPredict));
            var predictions = new double[length];
            long written;
            fixed (double* data = features)
            fixed (double* output = predictions)
            {
                Check(
                    LGBM_BoosterPredictForMat(booster, data, DTypeFloat64, rows, columns, RowMajor, predictType, 0, AllIterations, "num_threads=1", &written, output),
                    nameof(LGBM_BoosterPredictForMat));
            }
            if (written != length)
            {
                throw new InvalidOperationException($"LightGBM wrote {written} predictions where it announced {length}.");
            }
            return predictions;
        }
        finally
        {
            if (booster != 0)
            {
                _ = LGBM_BoosterFree(booster);
            }
        }
    }

    private static void CheckMatrix(double[] features, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        // LightGBM reads rows × columns values from the pointer: a shorter array would be read past its end.
        if (features.Length != (long)rows * columns)
        {
            throw new ArgumentException($"There are {features.Length} values for {rows} rows of {columns} features.", nameof(features));
        }
    }

    private static void SetFeatureNames(nint dataset, string[] featureNames)
    {
        var names = new nint[featureNames.Length];
        try
        {
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = Marshal.StringToCoTaskMemUTF8(featureNames[i]);
            }
            fixed (nint* first = names)
            {
                Check(LGBM_DatasetSetFeatureNames(dataset, first, names.Length), nameof(LGBM_DatasetSetFeatureNames));
            }
        }
        finally
        {
            foreach (nint name in names)
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
    }

    private static string SaveModelToString(nint booster)
    {
        // Two calls: the first, with no buffer, reports the length (terminating NUL included); the second fills it.
        long length;
        Check(LGBM_BoosterSaveModelToString(booster, 0, AllIterations, FeatureImportanceSplit, 0, &length, null), nameof(LGBM_BoosterSaveModelToString));
        var text = new byte[length];
        fixed (byte* buffer = text)
        {
            Check(LGBM_BoosterSaveModelToString(booster, 0, AllIterations, FeatureImportanceSplit, length, &length, buffer), nameof(LGBM_BoosterSaveModelToString));
        }
        return Encoding.UTF8.GetString(text, 0, (int)length - 1);
    }

    private static void Check(int result, string function)
    {
        if (result != 0)
        {
            // LightGBM owns the returned text (a thread-local buffer): read it, never free it.
            throw new LightGbmException(function, Marshal.PtrToStringUTF8(LGBM_GetLastError()) ?? "(no error text)");
        }
    }

    // Named as in c_api.h, so that nameof gives the function an error names.
    [LibraryImport(Library)]
    private static partial nint LGBM_GetLastError();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetCreateFromMat(void* data, int dataType, int rows, int columns, int isRowMajor, string parameters, nint reference, nint* dataset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetSetField(nint dataset, string fieldName, void* fieldData, int count, int dataType);

    [LibraryImport(Library)]
    private static partial int LGBM_DatasetSetFeatureNames(nint dataset, nint* featureNames, int count);

    [LibraryImport(Library)]
    private static partial int LGBM_DatasetFree(nint dataset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreate(nint trainData, string parameters, nint* booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterUpdateOneIter(nint booster, int* isFinished);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterSaveModelToString(nint booster, int startIteration, int iterationCount, int featureImportanceType, long bufferLength, long* length, byte* text);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterLoadModelFromString(string modelText, int* iterations, nint* booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterCalcNumPredict(nint booster, int rows, int predictType, int startIteration, int iterationCount, long* length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterPredictForMat(nint booster, void* data, int dataType, int rows, int columns, int isRowMajor, int predictType, int startIteration, int iterationCount, string parameters, long* length, double* predictions);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterFree(nint booster);
}
