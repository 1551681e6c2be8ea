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
        if (e.Member == KernelMember.None)
        {
            return DeclineNull("'" + Describe(e) + "'", "the property '" + e.Text + "' of " + receiverExpr.Type.Kind + " is not a known kernel member, so only the per-row code reads it");
        }
        if (e.Member is KernelMember.TimeSpanTotalMilliseconds or KernelMember.TimeSpanTotalSeconds or KernelMember.TimeSpanTotalMinutes
            or KernelMember.TimeSpanTotalHours or KernelMember.TimeSpanTotalDays)
        {
            return receiverExpr.Kind == KernelExprKind.Binary && receiverExpr.Op == KernelOp.Subtract
                ? TimeSpanTotal(e)
                : DeclineNull("'" + Describe(e) + "'", "a TimeSpan total has a vector form only on the difference of two timestamps");
        }
        VValue? receiver = Eval(receiverExpr);
        if (receiver is null)
        {
            return null;
        }
        if (receiver.Valid is not null)
        {
            switch (e.Member)
            {
                case KernelMember.NullableHasValue:
                    return new VValue(VKind.Bool, receiver.Valid, null);
                case KernelMember.NullableValue:
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
        string? part = e.Member switch
        {
            KernelMember.DateTimeHour => "HourOf",
            KernelMember.DateTimeMinute => "MinuteOf",
            KernelMember.DateTimeSecond => "SecondOf",
            KernelMember.DateTimeYear => "YearOf",
            KernelMember.DateTimeMonth => "MonthOf",
            KernelMember.DateTimeDay => "DayOf",
            KernelMember.DateTimeDayOfYear => "DayOfYearOf",
            KernelMember.DateTimeDayOfWeek => "DayOfWeekOf",
            _ => null,
        };
        if (part is null)
        {
            return null;
        }
        string micros = Materialize("micros", receiver).Code;
        bool dayOfWeek = e.Member == KernelMember.DateTimeDayOfWeek;
        string code = PerLane(VKind.Int, k => (dayOfWeek ? "(int)" : string.Empty) + "global::Dsl.Timestamps." + part + "(" + micros + "[" + k + "])");
        return new VValue(dayOfWeek ? VKind.DayOfWeek : VKind.Int, code, null);
    }

    /// <summary>
    /// A part of a <c>DateOnly</c> (days since 1970-01-01 in 32-bit lanes) by vector integer arithmetic: Year, Month, Day
    /// and DayOfYear through <c>DateMath</c>'s civil-from-days, DayOfWeek as the floor remainder of days + 4 by 7, and
    /// DayNumber as days plus the day number of 1970-01-01. Loading the column checked that every lane is in range.
    /// </summary>
    private VValue? DatePart(KernelExpr e, VValue receiver)
    {
        string days = Materialize("days", receiver).Code;
        switch (e.Member)
        {
            case KernelMember.DateOnlyYear:
            case KernelMember.DateOnlyMonth:
            case KernelMember.DateOnlyDay:
                if (!_civilDates.TryGetValue(days, out string? civil))
                {
                    civil = Unique("civil");
                    Line("var " + civil + " = " + DM + ".CivilOf(" + days + "); // year, month and day of each lane, computed once");
                    _civilDates[days] = civil;
                }
                string field = e.Member switch
                {
                    KernelMember.DateOnlyYear => "Year",
                    KernelMember.DateOnlyMonth => "Month",
                    _ => "Day",
                };
                return new VValue(VKind.Int, civil + "." + field, null);
            case KernelMember.DateOnlyDayOfYear:
                return new VValue(VKind.Int, DM + ".DayOfYearOf(" + days + ")", null);
            case KernelMember.DateOnlyDayOfWeek:
                return new VValue(VKind.DayOfWeek, DM + ".DayOfWeekOf(" + days + ")", null);
            case KernelMember.DateOnlyDayNumber:
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
        if (e.Type.Kind != KernelTypeKind.DateOnly || e.Operands.Count != 3 || !e.ArgumentNames.IsEmpty)
        {
            return null;
        }
        var parts = new int[3];
        for (int a = 0; a < 3; a++)
        {
            KernelExpr operand = e.Operands[a];
            if (operand.Kind != KernelExprKind.Literal || operand.Type.Kind != KernelTypeKind.Int32
                || !int.TryParse(operand.Constant, NumberStyles.None, CultureInfo.InvariantCulture, out parts[a]))
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
        _before.WriteLine("var " + name + " = " + V128 + ".Create(" + days.ToString(CultureInfo.InvariantCulture) + "); // " + Describe(e) + " as days since 1970-01-01");
        return new VValue(VKind.Date, name, null);
    }

    /// <summary>
    /// <c>(a - b).TotalSeconds</c> (and TotalMilliseconds, TotalMinutes, TotalHours, TotalDays) on two timestamps:
    /// TimeSpan divides its ticks, as a double, by the ticks per unit; the ticks are ten times the difference of the
    /// stored microseconds, which cannot overflow for values DateTime can hold.
    /// </summary>
    private VValue? TimeSpanTotal(KernelExpr e)
    {
        string? ticksPerUnit = e.Member switch
        {
            KernelMember.TimeSpanTotalMilliseconds => "10000.0",
            KernelMember.TimeSpanTotalSeconds => "10000000.0",
            KernelMember.TimeSpanTotalMinutes => "600000000.0",
            KernelMember.TimeSpanTotalHours => "36000000000.0",
            KernelMember.TimeSpanTotalDays => "864000000000.0",
            _ => null,
        };
        KernelExpr difference = e.Operands[0];
        if (ticksPerUnit is null || e.Type.Kind != KernelTypeKind.Double || e.Type.Nullable
            || !IsTimestamp(difference.Operands[0].Type) || !IsTimestamp(difference.Operands[1].Type))
        {
            return DeclineNull("'" + Describe(e) + "'", "a TimeSpan total has a vector form only on the difference of two non-nullable timestamps");
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

    private static bool IsTimestamp(KernelType type) => type.Kind == KernelTypeKind.DateTime && !type.Nullable;
}
