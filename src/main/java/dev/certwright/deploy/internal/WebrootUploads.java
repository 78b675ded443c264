package dev.certwright.deploy.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.EnumSet;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.springframework.stereotype.Component;

import dev.certwright.deploy.DeployTarget;

/**
 * Writes and removes one file under a target's webroot over SFTP only (no shell), through {@link SshDeployer#connect}:
 * the pinned host key and Certwright's SSH identity. Missing directories are made (0755); the file is created with
 * mode 0644 (and the target's owner) set before its content is written. The caller checks the names.
 */
@Component
public class WebrootUploads {

    private final SshDeployer deployer;
    private final SshIdentity identity;

    WebrootUploads(SshDeployer deployer, SshIdentity identity) {
        this.deployer = deployer;
        this.identity = identity;
    }

    /** Writes {@code <webroot>/<relativeDirectory>/<file>}; the message of the exception is the reason. */
    public void write(DeployTarget target, String relativeDirectory, String file, String content) throws IOException {
        KeyPair key = identity.keyPair();
        try (SshDeployer.Connection connection = deployer.connect(target, key)) {
            SftpClient sftp = connection.sftp;
            String directory = target.webroot();
            for (String segment : relativeDirectory.split("/")) {
                directory = directory + "/" + segment;
                if (!isDirectory(sftp, directory)) {
                    sftp.mkdir(directory);
                    sftp.setStat(directory, new SftpClient.Attributes().perms(0755));
                }
            }
            String path = directory + "/" + file;
            try (SftpClient.CloseableHandle handle = sftp.open(path, EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                    SftpClient.OpenMode.Truncate))) {
                SftpClient.Attributes attributes = new SftpClient.Attributes().perms(0644);
                if (target.fileUid() != null) {
                    attributes.owner(target.fileUid(), target.fileGid());
                }
                sftp.setStat(handle, attributes);
                sftp.write(handle, 0, content.getBytes(StandardCharsets.US_ASCII));
            }
        } catch (SshDeployer.StepFailed e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Removes {@code <webroot>/<relativeDirectory>/<file>}; a file already gone is fine. The directories stay. */
    public void remove(DeployTarget target, String relativeDirectory, String file) throws IOException {
        try (SshDeployer.Connection connection = deployer.connect(target, identity.keyPair())) {
            try {
                connection.sftp.remove(target.webroot() + "/" + relativeDirectory + "/" + file);
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
        } catch (SshDeployer.StepFailed e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static boolean isDirectory(SftpClient sftp, String path) throws IOException {
        try {
            SftpClient.Attributes attributes = sftp.stat(path);
            if (!attributes.isDirectory()) {
                throw new IOException(path + " exists and is not a directory");
            }
            return true;
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }
}
