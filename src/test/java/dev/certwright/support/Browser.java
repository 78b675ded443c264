package dev.certwright.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver (Selenium never downloads a browser or driver
 * here), with a fresh profile, and the flags these machines need.
 */
public final class Browser implements AutoCloseable {

    public static final Path SCREENSHOTS = CertwrightProcess.PROJECT.resolve("target/screenshots");

    public final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static Browser start() throws IOException {
        for (String file : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
            if (!Files.isExecutable(Path.of(file))) {
                throw new AssertionError(file + " is missing: scripts/test.sh installs chromium and chromium-driver");
            }
        }
        Path profile = Files.createTempDirectory("certwright-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run", "--ignore-certificate-errors",
                "--user-data-dir=" + profile, "--window-size=1366,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        // A click that submits a form returns before the next page is there: lookups wait for it (briefly).
        driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(3));
        driver.manage().window().setSize(new Dimension(1366, 900));
        return new Browser(driver, profile);
    }

    /** Signs in through the login form. */
    public void signIn(String baseUrl, String user, String password) {
        driver.manage().deleteAllCookies();
        driver.get(baseUrl + "/login");
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("sign-in")).click();
        awaitUrlNot("/login");
    }

    /** Waits (10 s at most) until the address contains the text: a click's navigation has happened. */
    public void awaitUrl(String part) {
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains(part));
    }

    /** Waits (10 s at most) until the address has left a page whose address ends with the text (plain, without a query). */
    public void awaitUrlNot(String path) {
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> !d.getCurrentUrl().endsWith(path));
    }

    /** Saves what the page shows now as target/screenshots/{name}.png. */
    public void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        long height = (Long) driver.executeScript("return Math.max(document.body.scrollHeight, 900)");
        driver.manage().window().setSize(new Dimension(1366, (int) Math.min(height, 4000)));
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(new Dimension(1366, 900));
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind
        }
    }
}
