-- The token status behind require("doxls").statusline(): the latest
-- dox/tokenStatus notification, and the time arithmetic to show it.
local M = {}

local latest -- { key, state, expires_at (epoch seconds or nil), message, client_id }

-- Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
-- days_from_civil), so RFC 3339 times convert without os.time, which would
-- read them as local time.
local function days_from_civil(y, m, d)
  if m <= 2 then
    y = y - 1
  end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

--- Parses an RFC 3339 time ("2025-03-01T12:00:00Z", "…T12:00:00.5+01:00")
--- into epoch seconds; nil when it is not one.
---@param s any
---@return integer?
function M.parse_time(s)
  if type(s) ~= "string" then
    return nil
  end
  local y, mo, d, h, mi, sec, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d):(%d%d)(.*)$")
  if not y then
    return nil
  end
  rest = rest:gsub("^%.%d+", "")
  local offset = 0
  if rest ~= "Z" and rest ~= "z" then
    local sign, oh, om = rest:match("^([+-])(%d%d):(%d%d)$")
    if not sign then
      return nil
    end
    offset = (tonumber(oh) * 3600 + tonumber(om) * 60) * (sign == "-" and -1 or 1)
  end
  local days = days_from_civil(tonumber(y), tonumber(mo), tonumber(d))
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec) - offset
end

--- "11h 58m", "42m", "<1m", or "expired" for seconds left.
---@param seconds number
---@return string
function M.format_left(seconds)
  if seconds <= 0 then
    return "expired"
  end
  local h = math.floor(seconds / 3600)
  local m = math.floor((seconds % 3600) / 60)
  if h > 0 then
    return string.format("%dh %dm", h, m)
  elseif m > 0 then
    return string.format("%dm", m)
  end
  return "<1m"
end

--- Records a dox/tokenStatus notification (docs/protocol.md).
---@param params { key: string, state: string, expiresAt: string|userdata|nil, message?: string }
---@param client_id integer
function M.update(params, client_id)
  latest = {
    key = params.key,
    state = params.state,
    expires_at = M.parse_time(params.expiresAt),
    message = params.message,
    client_id = client_id,
  }
end

--- Forgets what a client told us, when it goes away.
---@param client_id integer
function M.forget(client_id)
  if latest and latest.client_id == client_id then
    latest = nil
  end
end

--- The latest status (a copy), or nil.
---@return doxls.TokenStatus?
function M.get()
  return latest and vim.deepcopy(latest) or nil
end

--- The statusline text for the latest status at time now (epoch seconds).
---@param now? integer
---@return string
function M.text(now)
  if not latest then
    return ""
  end
  local state = latest.state
  if state == "error" then
    return "DOX !"
  elseif state == "expired" then
    return "DOX expired"
  elseif (state == "valid" or state == "expiring") and latest.expires_at then
    return "DOX " .. M.format_left(latest.expires_at - (now or os.time()))
  end
  return ""
end

return M
