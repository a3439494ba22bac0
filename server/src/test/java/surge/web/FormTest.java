package surge.web;

import surge.core.ApiError;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormTest {
  private static Form form(String json) {
    return Form.of(Buffer.buffer(json), "user");
  }

  private static ApiError failure(Form form) {
    return assertThrows(ApiError.class, form::done);
  }

  private static void assertError(int status, String json, ApiError e) {
    assertEquals(status, e.status(), e.getMessage());
    assertEquals(new JsonObject(json), e.body());
  }

  @Test
  void blankMissingAndNonStringFieldsAreAllReportedTogetherByDone() {
    Form form = form("{\"user\":{\"email\":\"   \",\"password\":5,\"bio\":\"\"}}");
    assertNull(form.required("username", 20));
    assertNull(form.required("email", 20));
    assertNull(form.required("password", 20));
    assertNull(form.required("bio", 20));
    assertTrue(form.hasError("username"));
    assertError(422, """
        {"errors":{"username":["can't be blank"],"email":["can't be blank"],"password":["must be a string"],
        "bio":["can't be blank"]}}""", failure(form));
  }

  @Test
  void explicitNullIsBlank() {
    Form form = form("{\"user\":{\"username\":null}}");
    assertNull(form.required("username", 20));
    assertError(422, "{\"errors\":{\"username\":[\"can't be blank\"]}}", failure(form));
  }

  @Test
  void validFieldsPassAndDoneDoesNotThrow() {
    Form form = form("{\"user\":{\"username\":\"jake\",\"email\":\" jake@jake.jake \"}}");
    assertEquals("jake", form.required("username", 20));
    assertEquals(" jake@jake.jake ", form.required("email", 20), "required() does not trim");
    assertFalse(form.hasError("username"));
    assertDoesNotThrow(form::done);
  }

  @Test
  void checkAddsItsMessageOnlyWhenTheConditionFails() {
    Form form = form("{\"user\":{}}");
    form.check(true, "a", "never");
    form.check(false, "b", "is wrong");
    form.check(false, "b", "is also wrong");
    assertError(422, "{\"errors\":{\"b\":[\"is wrong\",\"is also wrong\"]}}", failure(form));
  }

  @Test
  void malformedJsonIs400NamingTheBody() {
    for (String body : new String[] {"{", "{\"user\":", "not json", "{\"user\":{}}}", "{'user':{}}"}) {
      ApiError e = assertThrows(ApiError.class, () -> form(body), body);
      assertError(400, "{\"errors\":{\"body\":[\"is not valid JSON\"]}}", e);
    }
  }

  @Test
  void emptyBodyOrMissingOrNonObjectWrapperIs422NamingTheWrapper() {
    String[] bodies = {"", "[]", "[{\"user\":{}}]", "{}", "{\"User\":{}}", "{\"user\":null}", "{\"user\":[]}",
        "{\"user\":\"x\"}", "{\"user\":1}", "null", "\"user\"", "42"};
    for (String body : bodies) {
      ApiError e = assertThrows(ApiError.class, () -> form(body), body);
      assertError(422, "{\"errors\":{\"user\":[\"is missing\"]}}", e);
    }
    ApiError e = assertThrows(ApiError.class, () -> Form.of((Buffer) null, "article"));
    assertError(422, "{\"errors\":{\"article\":[\"is missing\"]}}", e);
  }

  @Test
  void tooLongIsReportedWithTheMaximum() {
    Form form = form("{\"user\":{\"username\":\"abcdef\",\"bio\":\"abcde\"}}");
    assertNull(form.required("username", 5));
    assertEquals("abcde", form.required("bio", 5), "exactly the maximum is allowed");
    assertError(422, "{\"errors\":{\"username\":[\"is too long (maximum is 5 characters)\"]}}", failure(form));
  }

  @Test
  void nulCharacterIsRejected() {
    Form form = form("{\"user\":{\"username\":\"a\\u0000b\",\"bio\":\"x\\u0000\"}}");
    assertNull(form.required("username", 20));
    assertEquals(new Form.Patch(true, null), form.optional("bio", 20));
    assertError(422, "{\"errors\":{\"username\":[\"must not contain NUL characters\"],"
        + "\"bio\":[\"must not contain NUL characters\"]}}", failure(form));
  }

  @Test
  void optionalDistinguishesAbsentNullAndValue() {
    Form form = form("{\"user\":{\"bio\":null,\"image\":\"pic.png\",\"empty\":\"\",\"blank\":\"  \"}}");
    Form.Patch absent = form.optional("username", 20);
    assertFalse(absent.present());
    assertNull(absent.value());
    Form.Patch explicitNull = form.optional("bio", 20);
    assertTrue(explicitNull.present());
    assertNull(explicitNull.value());
    assertEquals(new Form.Patch(true, "pic.png"), form.optional("image", 20));
    assertEquals(new Form.Patch(true, ""), form.optional("empty", 20));
    assertNull(form.optional("empty", 20).valueOrNullIfBlank());
    assertNull(form.optional("blank", 20).valueOrNullIfBlank());
    assertEquals("pic.png", form.optional("image", 20).valueOrNullIfBlank());
    assertDoesNotThrow(form::done);
  }

  @Test
  void optionalRejectsNonStringsAndTooLongValues() {
    Form form = form("{\"user\":{\"bio\":7,\"image\":\"abcdef\"}}");
    assertFalse(form.optional("bio", 20).present());
    assertEquals(new Form.Patch(true, null), form.optional("image", 5));
    assertError(422, "{\"errors\":{\"bio\":[\"must be a string\"],"
        + "\"image\":[\"is too long (maximum is 5 characters)\"]}}", failure(form));
  }

  @Test
  void replacementKeepsWhenAbsentAndRefusesNullOrBlank() {
    Form form = form("{\"user\":{\"username\":\"jake\",\"email\":null,\"password\":\"\",\"title\":\"  \"}}");
    assertEquals("jake", form.replacement("username", 20));
    assertNull(form.replacement("bio", 20));
    assertFalse(form.hasError("bio"), "absent means keep");
    assertNull(form.replacement("email", 20));
    assertNull(form.replacement("password", 20));
    assertNull(form.replacement("title", 20));
    assertError(422, "{\"errors\":{\"email\":[\"can't be blank\"],\"password\":[\"can't be blank\"],"
        + "\"title\":[\"can't be blank\"]}}", failure(form));
  }

  @Test
  void replacementReportsOneErrorPerBadField() {
    Form form = form("{\"user\":{\"username\":\"abcdef\",\"email\":5}}");
    assertNull(form.replacement("username", 5));
    assertNull(form.replacement("email", 20));
    assertError(422, "{\"errors\":{\"username\":[\"is too long (maximum is 5 characters)\"],"
        + "\"email\":[\"must be a string\"]}}", failure(form));
  }

  @Test
  void tagsAreTrimmedDeduplicatedAndSorted() {
    Form form = Form.of(Buffer.buffer("{\"article\":{\"tagList\":[\" dragons \",\"angular\",\"dragons\",\"Zoo\",\"angular \"]}}"), "article");
    assertEquals(List.of("Zoo", "angular", "dragons"), form.tags("tagList", 10, 20));
    assertDoesNotThrow(form::done);
  }

  @Test
  void absentTagsGiveNullAndEmptyArrayGivesEmptyList() {
    assertNull(form("{\"user\":{}}").tags("tagList", 10, 20));
    Form form = form("{\"user\":{\"tagList\":[]}}");
    assertEquals(List.of(), form.tags("tagList", 10, 20));
    assertDoesNotThrow(form::done);
  }

  @Test
  void nullTagsCannotBeNull() {
    Form form = form("{\"user\":{\"tagList\":null}}");
    assertNull(form.tags("tagList", 10, 20));
    assertError(422, "{\"errors\":{\"tagList\":[\"can't be null\"]}}", failure(form));
  }

  @Test
  void nonArrayTagsAreRejected() {
    for (String value : new String[] {"\"a,b\"", "{}", "5", "true"}) {
      Form form = form("{\"user\":{\"tagList\":" + value + "}}");
      assertNull(form.tags("tagList", 10, 20), value);
      assertError(422, "{\"errors\":{\"tagList\":[\"must be an array of strings\"]}}", failure(form));
    }
  }

  @Test
  void nonStringOrBlankTagEntriesAreRejected() {
    for (String value : new String[] {"[1]", "[\"a\",null]", "[\"a\",\"  \"]", "[\"\"]", "[[\"a\"]]", "[{}]"}) {
      Form form = form("{\"user\":{\"tagList\":" + value + "}}");
      assertNull(form.tags("tagList", 10, 20), value);
      assertError(422, "{\"errors\":{\"tagList\":[\"must contain only non-blank strings\"]}}", failure(form));
    }
  }

  @Test
  void entriesThatTrimToNothingAreRejectedRatherThanStoredAsEmptyTags() {
    // trim() strips every character up to U+0020, control characters included, but isBlank() only
    // knows whitespace: such entries must not slip through as "".
    for (String value : new String[] {"[\"\\u3000\"]", "[\"\\u0000\"]", "[\"\\u0001\"]", "[\"a\",\" \\u001f \"]"}) {
      Form form = form("{\"user\":{\"tagList\":" + value + "}}");
      List<String> tags = form.tags("tagList", 10, 20);
      assertFalse(tags != null && tags.contains(""), value + " gave an empty tag: " + tags);
      assertError(422, "{\"errors\":{\"tagList\":[\"must contain only non-blank strings\"]}}", failure(form));
    }
  }

  @Test
  void tooManyDistinctTagsAreRejectedButDuplicatesDoNotCount() {
    Form tooMany = form("{\"user\":{\"tagList\":[\"a\",\"b\",\"c\"]}}");
    tooMany.tags("tagList", 2, 20);
    assertError(422, "{\"errors\":{\"tagList\":[\"has too many tags (maximum is 2)\"]}}", failure(tooMany));

    Form duplicates = form("{\"user\":{\"tagList\":[\"a\",\"a \",\" b\",\"b\"]}}");
    assertEquals(List.of("a", "b"), duplicates.tags("tagList", 2, 20));
    assertDoesNotThrow(duplicates::done);
  }

  @Test
  void tooLongOrNulTagsAreRejectedAfterTrimming() {
    Form ok = form("{\"user\":{\"tagList\":[\"  ab  \"]}}");
    assertEquals(List.of("ab"), ok.tags("tagList", 5, 2));
    assertDoesNotThrow(ok::done);

    Form form = form("{\"user\":{\"tagList\":[\"abc\"]}}");
    form.tags("tagList", 5, 2);
    assertError(422, "{\"errors\":{\"tagList\":[\"is too long (maximum is 2 characters)\"]}}", failure(form));

    Form nul = form("{\"user\":{\"tagList\":[\"a\\u0000b\"]}}");
    nul.tags("tagList", 5, 20);
    assertError(422, "{\"errors\":{\"tagList\":[\"must not contain NUL characters\"]}}", failure(nul));
  }
}
