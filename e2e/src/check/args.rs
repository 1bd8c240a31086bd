//! The command line of `check-backend`.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: cargo xtask check-backend --base-url URL --username NAME --password PASS [options]

  --base-url URL       where the API is (the config's paths are appended to it), e.g. http://127.0.0.1:8000
  --username NAME      a test account (its sessions are signed out and revoked by the checks)
  --password PASS      its password
  --config FILE        the config.json you will ship with the app (default: the built-in defaults)
  --access-ttl SECS    how long an access token lives, when the backend does not report it at sign-in
  --storm-path PATH    a protected GET path for the storm (default: the config's me_path)
  --app-origin ORIGIN  where the app will be served, to check CORS when api_base is another origin
  --dist DIR           the app built with the Lab (default: dist/, from `cargo xtask dist --lab`)
";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// `scheme://host[:port][/prefix]`, no trailing slash.
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub config: Option<PathBuf>,
    pub access_ttl_secs: Option<u64>,
    pub storm_path: Option<String>,
    pub app_origin: Option<String>,
    pub dist: Option<PathBuf>,
}

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Run(Args),
    Help,
}

/// Parses the arguments (without the program name). The error is one sentence for the user.
pub fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut base_url = None;
    let mut username = None;
    let mut password = None;
    let mut config = None;
    let mut access_ttl_secs = None;
    let mut storm_path = None;
    let mut app_origin = None;
    let mut dist = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        // Both `--flag value` and `--flag=value`.
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (flag.as_str(), None),
        };
        if matches!(name, "-h" | "--help") {
            return Ok(Parsed::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| rest.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--base-url" => base_url = Some(base(&value()?)?),
            "--username" => username = Some(value()?),
            "--password" => password = Some(value()?),
            "--config" => config = Some(PathBuf::from(value()?)),
            "--access-ttl" => {
                let v = value()?;
                let secs = v.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("--access-ttl must be a whole number of seconds above 0, not {v:?}")
                })?;
                access_ttl_secs = Some(secs);
            }
            "--storm-path" => {
                let v = value()?;
                if !v.starts_with('/') || v.starts_with("//") || v.contains(char::is_whitespace) {
                    return Err(format!(
                        "--storm-path must be a path of the API starting with /, such as /api/items, not {v:?}"
                    ));
                }
                storm_path = Some(v);
            }
            "--app-origin" => app_origin = Some(origin(&value()?)?),
            "--dist" => dist = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let missing = |what: &str| format!("{what} is required");
    Ok(Parsed::Run(Args {
        base_url: base_url.ok_or_else(|| missing("--base-url"))?,
        username: username.ok_or_else(|| missing("--username"))?,
        password: password.ok_or_else(|| missing("--password"))?,
        config,
        access_ttl_secs,
        storm_path,
        app_origin,
        dist,
    }))
}

/// An http(s) URL without query or fragment, trailing slash removed.
fn base(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|e| {
        format!("--base-url {text:?} is not a URL ({e}); write it like http://127.0.0.1:8000")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "--base-url {text:?} must be an http:// or https:// URL"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "--base-url {text:?} must not have a query or a fragment"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `scheme://host[:port]`, nothing after it.
fn origin(text: &str) -> Result<String, String> {
    let url = base(text).map_err(|e| e.replace("--base-url", "--app-origin"))?;
    match url::Url::parse(&url) {
        Ok(parsed) if parsed.path() == "/" => Ok(parsed.origin().ascii_serialization()),
        _ => Err(format!(
            "--app-origin {text:?} must be an origin only (scheme, host and port), like https://app.example.com"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Parsed, String> {
        parse(
            &line
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn reads_every_flag_in_both_spellings() {
        let parsed = parse_str(
            "--base-url http://127.0.0.1:8000/ --username=alice --password pw --config c.json \
             --access-ttl 5 --storm-path /api/items --app-origin https://app.example.com --dist d",
        );
        assert_eq!(
            parsed,
            Ok(Parsed::Run(Args {
                base_url: "http://127.0.0.1:8000".into(),
                username: "alice".into(),
                password: "pw".into(),
                config: Some("c.json".into()),
                access_ttl_secs: Some(5),
                storm_path: Some("/api/items".into()),
                app_origin: Some("https://app.example.com".into()),
                dist: Some("d".into()),
            }))
        );
        assert_eq!(parse_str("--help"), Ok(Parsed::Help));
    }

    #[test]
    fn bad_input_is_one_clear_sentence() {
        let err = |line| parse_str(line).err().unwrap_or_default();
        assert!(err("--base-url localhost:8000 --username a --password b").contains("http://"));
        assert!(err("--base-url nota url").contains("is not a URL"));
        assert!(err("--base-url http://h --password b").contains("--username is required"));
        assert!(
            err("--base-url http://h --username a --password b --access-ttl 0").contains("above 0")
        );
        assert!(
            err("--base-url http://h --username a --password b --storm-path api")
                .contains("starting with /")
        );
        assert!(
            err("--base-url http://h --username a --password b --app-origin https://a/x")
                .contains("origin only")
        );
        assert!(
            err("--base-url http://h --username a --password b --frobnicate")
                .contains("unknown option")
        );
        assert!(err("--base-url").contains("needs a value"));
    }
}
