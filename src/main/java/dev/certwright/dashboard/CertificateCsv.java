package dev.certwright.dashboard;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntFunction;

import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ResultPage;

/** The inventory export's CSV: its header, one row per certificate, and cells quoted safely. */
final class CertificateCsv {

    static final String HEADER = "serial,subject,names,status,source,issuer,owner,tags,not_before,not_after,days_left,managed\r\n";
    static final int LIMIT = 100_000;
    static final int PAGE = 500;

    private CertificateCsv() {
    }

    /** The header and the rows of the pages, read one at a time until one is short or the limit is reached. */
    static void write(PrintWriter out, IntFunction<ResultPage<CertificateRecord>> pages, Instant now) {
        out.print(HEADER);
        int written = 0;
        for (int page = 0; written < LIMIT; page++) {
            ResultPage<CertificateRecord> result = pages.apply(page);
            for (CertificateRecord r : result.items()) {
                row(out, r, now);
                written++;
            }
            if (result.items().size() < PAGE) {
                break;
            }
        }
    }

    static void row(PrintWriter out, CertificateRecord r, Instant now) {
        out.print(String.join(",", cell(r.serial().hex()), cell(r.subject()), cell(String.join(" ", r.sans())),
                cell(r.effectiveStatus(now)), cell(r.source().name()), cell(r.issuerName()), cell(r.owner()),
                cell(String.join(" ", r.tags())), cell(String.valueOf(r.notBefore())), cell(String.valueOf(r.notAfter())),
                cell(r.notAfter() == null ? "" : String.valueOf(Duration.between(now, r.notAfter()).toDays())),
                cell(r.managedName())) + "\r\n");
    }

    /** RFC 4180 quoting, and no formula injection: a cell that a spreadsheet would evaluate is prefixed with a quote. */
    static String cell(String value) {
        if (value == null) {
            return "";
        }
        String text = !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
