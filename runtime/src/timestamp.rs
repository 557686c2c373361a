//! [`Timestamp`]: a point in time as Matrix sends it, integer milliseconds
//! since the Unix epoch (`origin_server_ts`, `ts`, `last_seen_ts`, ...).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use crate::duration_ms::MAX_SAFE_INTEGER;

/// A point in time: milliseconds since the Unix epoch (1970-01-01T00:00:00Z,
/// leap seconds not counted), as Matrix writes timestamps on the wire.
///
/// Lossless: it holds the integer it was given, and serializes to exactly
/// the integer it was deserialized from, so a received value sent back (an
/// event relayed, a signed object) is unchanged. Converting from a
/// [`SystemTime`] (`TryFrom`) rounds down to the millisecond and refuses a
/// time outside the integers Matrix allows in JSON (±(2^53 - 1) ms, about
/// 285,000 years either side of 1970); converting to one (`TryFrom`) fails
/// only where the platform's `SystemTime` cannot represent it.
///
/// `Display` writes RFC 3339 in UTC with milliseconds
/// (`2015-05-27T14:10:24.653Z`); `Debug` shows the integer.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use matrix_csapi_runtime::Timestamp;
///
/// let sent: Timestamp = serde_json::from_str("1432735824653").unwrap();
/// assert_eq!(sent.as_millis(), 1_432_735_824_653);
/// assert_eq!(sent.to_string(), "2015-05-27T14:10:24.653Z");
/// assert_eq!(serde_json::to_string(&sent).unwrap(), "1432735824653");
///
/// let time = SystemTime::try_from(sent).unwrap();
/// assert_eq!(time, UNIX_EPOCH + Duration::from_millis(1_432_735_824_653));
/// assert_eq!(Timestamp::try_from(time).unwrap(), sent);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A time that has no [`Timestamp`], or a timestamp that has no
/// [`SystemTime`] on this platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the time is outside the range a Matrix timestamp (±(2^53 - 1) ms around 1970) or this platform's clock can represent"
)]
pub struct TimestampOutOfRange;

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// The timestamp `millis` milliseconds after (negative: before) the
    /// Unix epoch, as given: it is sent exactly so.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch (negative before it).
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The current time from the system clock, rounded down to the
    /// millisecond (a clock beyond the range Matrix allows, which no real
    /// clock is, gives the range's end).
    pub fn now() -> Self {
        let now = SystemTime::now();
        Self::try_from(now).unwrap_or(if now < UNIX_EPOCH {
            Self(-(MAX_SAFE_INTEGER as i64))
        } else {
            Self(MAX_SAFE_INTEGER as i64)
        })
    }

    /// The time from this timestamp to `later`, or `None` when `later` is
    /// earlier (an event from a server whose clock is ahead).
    pub fn duration_until(self, later: Timestamp) -> Option<Duration> {
        let millis = later.0.checked_sub(self.0)?;
        u64::try_from(millis).ok().map(Duration::from_millis)
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = TimestampOutOfRange;

    fn try_from(time: SystemTime) -> Result<Self, TimestampOutOfRange> {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_millis()).map_err(|_| TimestampOutOfRange)?,
            // Before the epoch: rounded down too, i.e. away from zero.
            Err(before) => {
                let before = before.duration();
                let whole = i128::try_from(before.as_millis()).map_err(|_| TimestampOutOfRange)?;
                let partial = i128::from(before.subsec_nanos() % 1_000_000 != 0);
                -(whole + partial)
            }
        };
        if millis.unsigned_abs() > u128::from(MAX_SAFE_INTEGER) {
            return Err(TimestampOutOfRange);
        }
        i64::try_from(millis)
            .map(Self)
            .map_err(|_| TimestampOutOfRange)
    }
}

impl TryFrom<Timestamp> for SystemTime {
    type Error = TimestampOutOfRange;

    fn try_from(timestamp: Timestamp) -> Result<Self, TimestampOutOfRange> {
        let offset = Duration::from_millis(timestamp.0.unsigned_abs());
        let time = if timestamp.0 >= 0 {
            UNIX_EPOCH.checked_add(offset)
        } else {
            UNIX_EPOCH.checked_sub(offset)
        };
        time.ok_or(TimestampOutOfRange)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DAY_MS: i64 = 86_400_000;
        let days = self.0.div_euclid(DAY_MS);
        let in_day = self.0.rem_euclid(DAY_MS);
        let (year, month, day) = civil_from_days(days);
        let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
        let (second, milli) = (in_day / 1000 % 60, in_day % 1000);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z"
        )
    }
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard
/// Hinnant's `civil_from_days`, exact for every `i64` day this type reaches).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(Self).map_err(|e| {
            de::Error::custom(format!(
                "expected a timestamp in integer milliseconds since the Unix epoch: {e}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn serializes_exactly_the_integer_received() {
        for text in [
            "0",
            "1",
            "-1",
            "1432735824653",
            "9007199254740993",
            "-86400001",
        ] {
            let timestamp: Timestamp = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&timestamp).unwrap(), text);
        }
    }

    #[test]
    fn refuses_what_is_not_integer_milliseconds() {
        for text in ["1.5", "\"1432735824653\"", "true", "null", "1e3"] {
            let error = serde_json::from_str::<Timestamp>(text).unwrap_err();
            assert!(
                error.to_string().contains("integer milliseconds"),
                "{error}"
            );
        }
    }

    #[test]
    fn displays_rfc_3339_in_utc() {
        let shown = |millis| Timestamp::from_millis(millis).to_string();
        assert_eq!(shown(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(shown(1_432_735_824_653), "2015-05-27T14:10:24.653Z");
        assert_eq!(shown(-1), "1969-12-31T23:59:59.999Z");
        // 2000-02-29, a leap day of a century year.
        assert_eq!(shown(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(shown(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
        assert_eq!(format!("{:?}", Timestamp::from_millis(7)), "Timestamp(7)");
    }

    #[test]
    fn converts_to_and_from_system_time() {
        let after = UNIX_EPOCH + Duration::new(1_432_735_824, 653_999_999);
        let timestamp = Timestamp::try_from(after).unwrap();
        assert_eq!(timestamp.as_millis(), 1_432_735_824_653, "rounded down");
        assert_eq!(
            SystemTime::try_from(timestamp).unwrap(),
            UNIX_EPOCH + Duration::from_millis(1_432_735_824_653)
        );
        let before = UNIX_EPOCH - Duration::from_micros(1_500);
        let timestamp = Timestamp::try_from(before).unwrap();
        assert_eq!(timestamp.as_millis(), -2, "rounded down, before the epoch");
        assert_eq!(
            SystemTime::try_from(timestamp).unwrap(),
            UNIX_EPOCH - Duration::from_millis(2)
        );
        let far = UNIX_EPOCH + Duration::from_millis(MAX_SAFE_INTEGER + 1);
        assert_eq!(Timestamp::try_from(far), Err(TimestampOutOfRange));
        let edge = UNIX_EPOCH + Duration::from_millis(MAX_SAFE_INTEGER);
        assert!(Timestamp::try_from(edge).is_ok());
        // The extremes convert or fail, never panic; what converts comes back.
        for millis in [i64::MAX, i64::MIN] {
            let timestamp = Timestamp::from_millis(millis);
            if let Ok(time) = SystemTime::try_from(timestamp) {
                assert_eq!(time.duration_since(UNIX_EPOCH).is_ok(), millis > 0);
            }
        }
    }

    #[test]
    fn orders_by_time_and_measures_between() {
        let early = Timestamp::from_millis(1_000);
        let late = Timestamp::from_millis(3_500);
        assert!(early < late && Timestamp::UNIX_EPOCH < early);
        assert_eq!(
            early.duration_until(late),
            Some(Duration::from_millis(2_500))
        );
        assert_eq!(late.duration_until(early), None);
        let now = Timestamp::now();
        assert!(now > Timestamp::from_millis(1_700_000_000_000));
    }
}
