using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// Properties of values in vector lanes: date and time parts, constants of DateTime and TimeSpan.
internal sealed partial class VectorKernelEmitter
{
    private VValue? Property(KernelExpr e)
    {
        KernelExpr receiverExpr = e.Operands[0];
        if (receiverExpr.Kind == KernelExprKind.Binary && receiverExpr.Text == "-" && receiverExpr.Type == "global::System.TimeSpan")
        {
            return TimeSpanTotal(e);
        }
        VValue? receiver = Eval(receiverExpr);
        if (receiver is null)
        {
            return null;
        }
        if (receiver.Valid is not null)
        {
            switch (e.Text)
            {
                case "HasValue":
                    return new VValue(VKind.Bool, receiver.Valid, null);
                case "Value":
                    // Nullable<T>.Value throws for null: hand back a block where a reached, kept row is null.
                    HandBackIf("~" + Parenthesize(receiver.Valid), "'.Value' of a null in a kept row: the per-row code throws InvalidOperationException like the stage method");
                    return receiver with { Valid = null };
                default:
                    return null;
            }
        }
        if (receiver.Kind == VKind.Date)
        {
            return DatePart(e, receiver);
        }
        if (receiver.Kind != VKind.DateTime)
        {
            return null;
        }
        string? part = e.Text switch
        {
            "Hour" => "HourOf",
            "Minute" => "MinuteOf",
            "Second" => "SecondOf",
            "Year" => "YearOf",
            "Month" => "MonthOf",
            "Day" => "DayOf",
            "DayOfYear" => "DayOfYearOf",
            "DayOfWeek" => "DayOfWeekOf",
            _ => null,
        };
        if (part is null)
        {
            return null;
        }
        string micros = Materialize("micros", receiver).Code;
        string cast = e.Text == "DayOfWeek" ? "(int)" : string.Empty;
        string code = PerLane(VKind.Int, k => cast + "global::Dsl.Timestamps." + part + "(" + micros + "[" + k + "])");
        return new VValue(e.Text == "DayOfWeek" ? VKind.DayOfWeek : VKind.Int, code, null);
    }

    /// <summary>
    /// A part of a <c>DateOnly</c> (days since 1970-01-01 in 32-bit lanes) by vector integer arithmetic: Year, Month, Day
    /// and DayOfYear through <c>DateMath</c>'s civil-from-days, DayOfWeek as the floor remainder of days + 4 by 7, and
    /// DayNumber as days plus the day number of 1970-01-01. Loading the column checked that every lane is in range.
    /// </summary>
    private VValue? DatePart(KernelExpr e, VValue receiver)
    {
        string days = Materialize("days", receiver).Code;
        switch (e.Text)
        {
            case "Year":
            case "Month":
            case "Day":
                if (!_civilDates.TryGetValue(days, out string? civil))
                {
                    civil = Unique("civil");
                    Line("var " + civil + " = " + DM + ".CivilOf(" + days + "); // year, month and day of each lane, computed once");
                    _civilDates[days] = civil;
                }
                return new VValue(VKind.Int, civil + "." + e.Text, null);
            case "DayOfYear":
                return new VValue(VKind.Int, DM + ".DayOfYearOf(" + days + ")", null);
            case "DayOfWeek":
                return new VValue(VKind.DayOfWeek, DM + ".DayOfWeekOf(" + days + ")", null);
            case "DayNumber":
                return new VValue(VKind.Int, days + " + " + V128 + ".Create(global::Dsl.Timestamps.UnixEpochDayNumber)", null);
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>new DateOnly(year, month, day)</c> with integer literals naming a valid date: its stored day number, computed
    /// here and broadcast once per batch. Other arguments (or an invalid date, which throws) stay on the per-row code.
    /// </summary>
    private VValue? DateConstant(KernelExpr e)
    {
        if (e.Type != "global::System.DateOnly" || e.Operands.Count != 3 || !e.ArgumentNames.IsEmpty)
        {
            return null;
        }
        var parts = new int[3];
        for (int a = 0; a < 3; a++)
        {
            KernelExpr operand = e.Operands[a];
            if (operand.Kind != KernelExprKind.Literal || operand.Type != "int"
                || !int.TryParse(operand.Text, NumberStyles.None, CultureInfo.InvariantCulture, out parts[a]))
            {
                return null;
            }
        }
        if (parts[0] < 1 || parts[0] > 9999 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > System.DateTime.DaysInMonth(parts[0], parts[1]))
        {
            return null;
        }
        int days = (new System.DateTime(parts[0], parts[1], parts[2]) - new System.DateTime(1970, 1, 1)).Days;
        string name = Unique("date" + parts[0].ToString("D4", CultureInfo.InvariantCulture) + parts[1].ToString("D2", CultureInfo.InvariantCulture) + parts[2].ToString("D2", CultureInfo.InvariantCulture));
        _before.Add("var " + name + " = " + V128 + ".Create(" + days.ToString(CultureInfo.InvariantCulture) + "); // " + Describe(e) + " as days since 1970-01-01");
        return new VValue(VKind.Date, name, null);
    }

    /// <summary>
    /// <c>(a - b).TotalSeconds</c> (and TotalMilliseconds, TotalMinutes, TotalHours, TotalDays) on two timestamps:
    /// TimeSpan divides its ticks, as a double, by the ticks per unit; the ticks are ten times the difference of the
    /// stored microseconds, which cannot overflow for values DateTime can hold.
    /// </summary>
    private VValue? TimeSpanTotal(KernelExpr e)
    {
        string? ticksPerUnit = e.Text switch
        {
            "TotalMilliseconds" => "10000.0",
            "TotalSeconds" => "10000000.0",
            "TotalMinutes" => "600000000.0",
            "TotalHours" => "36000000000.0",
            "TotalDays" => "864000000000.0",
            _ => null,
        };
        KernelExpr difference = e.Operands[0];
        if (ticksPerUnit is null || e.Type != "double"
            || difference.Operands[0].Type != "global::System.DateTime" || difference.Operands[1].Type != "global::System.DateTime")
        {
            return null;
        }
        VValue? end = Eval(difference.Operands[0]);
        VValue? start = end is null ? null : Eval(difference.Operands[1]);
        if (end is null || start is null || end.Kind != VKind.DateTime || start.Kind != VKind.DateTime || end.Valid is not null || start.Valid is not null)
        {
            return null;
        }
        string ticks = Materialize("ticks", new VValue(VKind.Long, "(" + end.Code + " - " + start.Code + ") * " + V256 + ".Create(10L)", null)).Code;
        return new VValue(VKind.Double, VM + ".ToDouble(" + ticks + ") / " + V256 + ".Create(" + ticksPerUnit + ")", null);
    }
}
