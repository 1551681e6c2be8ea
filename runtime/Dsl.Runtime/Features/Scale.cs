namespace Dsl;

/// <summary>
/// Feature scaling with parameters a <see cref="FitAttribute"/> stage computes: the transforms of scikit-learn's
/// <c>StandardScaler</c>, <c>MinMaxScaler</c>, <c>MaxAbsScaler</c> and <c>RobustScaler</c>, with the same arithmetic, so
/// that given the same fitted statistics the results are bit for bit scikit-learn's. Each transform is written as
/// scikit-learn applies it (<c>(x - mean_) / scale_</c>, <c>x * scale_ + min_</c>, ...) and the <c>...Scale</c> and
/// <c>...Offset</c> methods give its fitted attributes (<c>scale_</c>, <c>min_</c>) from the statistics.
/// </summary>
/// <remarks>
/// NaN passes through every transform (NaN in, NaN out), as in scikit-learn. A nullable column can be passed as
/// <c>t.X ?? double.NaN</c>, or imputed first with <see cref="Impute.Fill(double?, double)"/>.
/// A near-zero scale is replaced by 1 as scikit-learn's <c>_handle_zeros_in_scale</c> does, so a constant column maps
/// to a constant instead of dividing by zero; the exact rule of each method says which values count as zero.
/// </remarks>
public static class Scale
{
    /// <summary>NumPy's <c>np.finfo(np.float64).eps</c>: 2^-52.</summary>
    private const double MachineEpsilon = 2.220446049250313E-16;

    /// <summary>
    /// scikit-learn's threshold below which a range, maximum absolute value or interquartile range counts as zero
    /// (<c>scale &lt; 10 * np.finfo(np.float64).eps</c> in <c>_handle_zeros_in_scale</c>).
    /// </summary>
    public const double ZeroScaleThreshold = 10 * MachineEpsilon;

    /// <summary>
    /// Standard scaling (z-score): <c>(x - mean) / StandardScale(std)</c>, scikit-learn's
    /// <c>StandardScaler.transform</c>. Use the population standard deviation (<see cref="FitData{TRow}.Std"/>, divided
    /// by n) to get scikit-learn's <c>scale_</c>; <see cref="FitData{TRow}.SampleStd"/> (divided by n - 1) is
    /// the deviation Spark ML's <c>StandardScaler</c> uses. <c>with_mean=False</c> is <paramref name="mean"/> 0 and <c>with_std=False</c> is <paramref name="std"/> 1.
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="mean">The mean of the column (<c>mean_</c>).</param>
    /// <param name="std">The population standard deviation of the column.</param>
    public static double Standard(double x, double mean, double std) => (x - mean) / StandardScale(std);

    /// <summary>
    /// scikit-learn's <c>StandardScaler.scale_</c> for a standard deviation: <paramref name="std"/>, or 1 where it is
    /// exactly 0 (a constant column). scikit-learn also treats a variance within the rounding error of its own
    /// variance computation as zero (<c>_is_constant_feature</c>); a fit that computes the variance of a constant
    /// column exactly gives 0 there, so both agree on constant columns.
    /// </summary>
    /// <param name="std">The population standard deviation (NaN, for a column without values, stays NaN).</param>
    public static double StandardScale(double std) => std == 0 ? 1.0 : std;

    /// <summary>
    /// Min-max scaling to [0, 1]: <c>x * MinMaxScale(min, max) + MinMaxOffset(min, max)</c>, scikit-learn's
    /// <c>MinMaxScaler().transform</c> (in that order: multiply, then add), which maps <paramref name="min"/> to 0 and
    /// <paramref name="max"/> to 1 up to rounding. Values outside the fitted range map outside [0, 1] (no clipping).
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="min">The smallest value of the column (<c>data_min_</c>).</param>
    /// <param name="max">The largest value of the column (<c>data_max_</c>).</param>
    public static double MinMax(double x, double min, double max) => x * MinMaxScale(min, max) + MinMaxOffset(min, max);

    /// <summary>
    /// Min-max scaling to [<paramref name="rangeMin"/>, <paramref name="rangeMax"/>]:
    /// <c>x * MinMaxScale(...) + MinMaxOffset(...)</c>, scikit-learn's <c>MinMaxScaler(feature_range=(rangeMin, rangeMax))</c>.
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="min">The smallest value of the column.</param>
    /// <param name="max">The largest value of the column.</param>
    /// <param name="rangeMin">The lower end of the target range.</param>
    /// <param name="rangeMax">The upper end of the target range.</param>
    /// <exception cref="ArgumentException"><paramref name="rangeMin"/> is not below <paramref name="rangeMax"/>.</exception>
    public static double MinMax(double x, double min, double max, double rangeMin, double rangeMax) =>
        x * MinMaxScale(min, max, rangeMin, rangeMax) + MinMaxOffset(min, max, rangeMin, rangeMax);

    /// <summary>
    /// scikit-learn's <c>MinMaxScaler.scale_</c>: <c>1 / (max - min)</c>, with a range below
    /// <see cref="ZeroScaleThreshold"/> (a constant column) taken as 1.
    /// </summary>
    /// <param name="min">The smallest value of the column.</param>
    /// <param name="max">The largest value of the column.</param>
    public static double MinMaxScale(double min, double max) => 1.0 / NonZero(max - min);

    /// <summary>
    /// scikit-learn's <c>MinMaxScaler.scale_</c> for a target range: <c>(rangeMax - rangeMin) / (max - min)</c>, with a
    /// range below <see cref="ZeroScaleThreshold"/> taken as 1.
    /// </summary>
    /// <param name="min">The smallest value of the column.</param>
    /// <param name="max">The largest value of the column.</param>
    /// <param name="rangeMin">The lower end of the target range.</param>
    /// <param name="rangeMax">The upper end of the target range.</param>
    /// <exception cref="ArgumentException"><paramref name="rangeMin"/> is not below <paramref name="rangeMax"/>.</exception>
    public static double MinMaxScale(double min, double max, double rangeMin, double rangeMax)
    {
        FeatureArguments.CheckFeatureRange(rangeMin, rangeMax);
        return (rangeMax - rangeMin) / NonZero(max - min);
    }

    /// <summary>scikit-learn's <c>MinMaxScaler.min_</c>: <c>0 - min * MinMaxScale(min, max)</c>.</summary>
    /// <param name="min">The smallest value of the column.</param>
    /// <param name="max">The largest value of the column.</param>
    public static double MinMaxOffset(double min, double max) => 0.0 - min * MinMaxScale(min, max);

    /// <summary>scikit-learn's <c>MinMaxScaler.min_</c> for a target range: <c>rangeMin - min * MinMaxScale(min, max, rangeMin, rangeMax)</c>.</summary>
    /// <param name="min">The smallest value of the column.</param>
    /// <param name="max">The largest value of the column.</param>
    /// <param name="rangeMin">The lower end of the target range.</param>
    /// <param name="rangeMax">The upper end of the target range.</param>
    /// <exception cref="ArgumentException"><paramref name="rangeMin"/> is not below <paramref name="rangeMax"/>.</exception>
    public static double MinMaxOffset(double min, double max, double rangeMin, double rangeMax) =>
        rangeMin - min * MinMaxScale(min, max, rangeMin, rangeMax);

    /// <summary>
    /// Max-abs scaling to [-1, 1]: <c>x / MaxAbsScale(maxAbs)</c>, scikit-learn's <c>MaxAbsScaler.transform</c> and
    /// Spark ML's <c>MaxAbsScaler</c>; it keeps zeros (and sparsity).
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="maxAbs">The largest absolute value of the column (<see cref="FitData{TRow}.MaxAbs"/>).</param>
    public static double MaxAbs(double x, double maxAbs) => x / MaxAbsScale(maxAbs);

    /// <summary>scikit-learn's <c>MaxAbsScaler.scale_</c>: <paramref name="maxAbs"/>, or 1 below <see cref="ZeroScaleThreshold"/>.</summary>
    /// <param name="maxAbs">The largest absolute value of the column.</param>
    public static double MaxAbsScale(double maxAbs) => NonZero(maxAbs);

    /// <summary>
    /// Robust scaling: <c>(x - median) / RobustScale(lower, upper)</c>, scikit-learn's <c>RobustScaler.transform</c>
    /// with <c>center_</c> = <paramref name="median"/> and <c>scale_</c> = the interquartile range. For the default
    /// <c>quantile_range=(25, 75)</c> pass <c>Quantile(c, 0.25)</c> and <c>Quantile(c, 0.75)</c> (NumPy's linear
    /// method, which <c>np.nanpercentile</c> uses); other ranges pass other quantiles. <c>with_centering=False</c>
    /// is <paramref name="median"/> 0.
    /// </summary>
    /// <param name="x">The value.</param>
    /// <param name="median">The median of the column (<c>center_</c>).</param>
    /// <param name="lower">The lower quantile of the range (the 25th percentile by default).</param>
    /// <param name="upper">The upper quantile of the range (the 75th percentile by default).</param>
    public static double Robust(double x, double median, double lower, double upper) => (x - median) / RobustScale(lower, upper);

    /// <summary>
    /// scikit-learn's <c>RobustScaler.scale_</c>: <c>upper - lower</c>, or 1 below <see cref="ZeroScaleThreshold"/>
    /// (a column whose middle half is one value).
    /// </summary>
    /// <param name="lower">The lower quantile.</param>
    /// <param name="upper">The upper quantile.</param>
    public static double RobustScale(double lower, double upper) => NonZero(upper - lower);

    // _handle_zeros_in_scale on an array: scale[scale < 10 * eps] = 1 (NaN stays NaN: the comparison is false).
    private static double NonZero(double scale) => scale < ZeroScaleThreshold ? 1.0 : scale;
}
