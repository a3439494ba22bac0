package surge.users;

import java.util.regex.Pattern;
import surge.web.Form;

/** Field rules shared by registration, login and update. Pure, so unit tests reach them directly. */
final class UserInput {
  static final int MAX_USERNAME = 64;
  static final int MAX_EMAIL = 254;
  static final int MIN_PASSWORD = 8;
  static final int MAX_PASSWORD = 64;
  static final int MAX_BIO = 4000;
  static final int MAX_IMAGE = 2048;
  // Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

  private UserInput() {}

  static void checkEmail(Form form, String email) {
    if (email != null) form.check(EMAIL.matcher(email).matches(), "email", "is invalid");
  }

  static void checkPassword(Form form, String password) {
    if (password == null) return;
    form.check(password.length() >= MIN_PASSWORD, "password", "is too short (minimum is " + MIN_PASSWORD + " characters)");
  }

  static void checkUsername(Form form, String username) {
    if (username == null) return;
    form.check(username.strip().equals(username), "username", "must not start or end with spaces");
    form.check(username.indexOf('/') < 0, "username", "must not contain '/'");
  }
}
