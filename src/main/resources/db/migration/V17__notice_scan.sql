-- Where the expiry-notice scan of each threshold stands (issue 8): the scan looks at what entered a threshold's window
-- since it last looked, instead of walking every certificate already inside it (and already noticed) every time.
CREATE TABLE notice_scan (
    threshold     VARCHAR(32) PRIMARY KEY,          -- P30D, P7D, ...
    mark          TIMESTAMP WITH TIME ZONE,         -- every certificate expiring by then was considered (null: not yet)
    since         TIMESTAMP WITH TIME ZONE,         -- certificates created from then on are checked whatever their expiry
    pass_cursor   TIMESTAMP WITH TIME ZONE,         -- where the running full pass continues (null: none running)
    pass_started  TIMESTAMP WITH TIME ZONE          -- when the last full pass began (one a day re-checks everything)
);
