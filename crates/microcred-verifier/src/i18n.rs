//! The HTML transcript's own words in the reader's language: English, French
//! and Spanish (the consortium's FUN and MiríadaX audiences).
//!
//! A typed catalogue rather than Fluent: one `match` per language over one enum
//! of message ids, so a missing or extra message is a compile error, the
//! binary stays self-contained, and no dependency is added. Messages are plain
//! text with named placeables (`{issuer}`); a test checks that every language
//! has the same placeables in every message. What the credential says, and the
//! technical messages of the checks, are not translated (the transcript marks
//! the latter `lang="en"`).

use microcred_core::datetime;

/// A language the transcript is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default, and the language of the terminal and `--json`).
    #[default]
    En,
    /// French.
    Fr,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language, in the order `--lang` lists them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Es];

    /// The BCP 47 tag, as in `<html lang="…">`: `en`, `fr` or `es`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    /// The language of a tag or POSIX locale (`fr`, `fr-BE`, `es_ES.UTF-8`),
    /// by its primary language; `None` for any other.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The reader's language from the locale, as POSIX decides it: `LC_ALL`,
    /// else `LC_MESSAGES`, else `LANG` (the first one set and not empty);
    /// English when that is not French or Spanish.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

/// Defines the message ids and the list of all of them, from one list.
macro_rules! messages {
    ($($name:ident),* $(,)?) => {
        /// A message of the transcript's own words.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Msg { $($name),* }
        impl Msg {
            /// Every message id.
            #[cfg(test)]
            pub(crate) const ALL: &[Msg] = &[$(Msg::$name),*];
        }
    };
}

messages! {
    // The page.
    PageTitle, Documents, ColFile, ColCredential, ColVerdict,
    OverValid, OverUnconfirmed, OverInvalid, OverUnchecked,
    // Qualification.
    Qualification, QualMet, QualNotMet, QualEcts, CredentialsCounted,
    // Headings.
    Presentation, Credential, Checks, Claimed, LearningOutcomes, EveryCheck,
    FrameworkProfiles, RulesMet,
    // Verdicts.
    ValidCredential, ValidPresentation, ValidBy,
    UnconfirmedCredential, UnconfirmedPresentation,
    InvalidCredential, InvalidPresentation, InvalidDefault,
    UncheckedCredential, UncheckedPresentation, UncheckedDefault,
    Caution,
    // Reason headlines, by reason code.
    ReasonCredentialN, RUnsigned, RTampered, RSignatureNotVerified, RProofValidity,
    RProofPurpose, RWrongSignerIssuer, RWrongSignerHolder, RRevoked, RSuspended,
    RStatusListUnusable, RExpired, RNotYetValid, RIssuerNotBound, RUntrustedIssuer,
    RMalformed, RProfile, RReplay, RNotHolders, RTrustNotChecked, RTrustNotCheckedNamed,
    RNotBound, RStatusNotChecked, RCannotCheck, RCheckFailed, TheIssuer,
    // The summary of the checks.
    GStructure, GSignature, GIssuer, GDates, GStatus, GRequest,
    WellFormed, Genuine, InForceFromUntil, InForceFrom, InForce, AnswersRequest,
    // Outcomes.
    Passed, Failed, Warning, NotChecked, NotSupported, Expected,
    // Check names, by check id.
    CStructure, CContext, CProof, CProofPurpose, CIssuerKey, CHolderKey, CProofValidity,
    CValidity, CTrust, CAccreditation, CStatus, CProfileRule, CProfile, CChallenge,
    CDomain, CHolderBinding, CQualification,
    // Field labels.
    Holder, PresentationId, Learner, Country, AwardingBody, AlsoAwardedBy, IssuerId, SecuredAs,
    FieldOfStudy, Awarded, StudyHours, EctsCredits, EqfLevel, NationalLevel,
    FormOfParticipation, Assessment, IdentityVerification, QualityAssurance,
    Prerequisites, Grade, GradingScale, AssessedOn, StacksTowards, ValidFrom,
    ValidUntil, ValidityPeriod, Criteria, FurtherInformation, CredentialLanguage,
    CredentialId,
    // Field values.
    AsListed, SelfDeclared, NationalLevelValue, Summative, NotSummative, Supervision,
    IdentityYes, IdentityNo, ModeTowards, Towards, OneYear, Years, OneMonth, Months,
    FromTo, FromMin, UpToMax, PassMark, PassLevel, LanguageValue,
}

/// The text of a message, with its `{placeables}` unfilled.
pub(crate) fn text(lang: Lang, m: Msg) -> &'static str {
    match lang {
        Lang::En => en(m),
        Lang::Fr => fr(m),
        Lang::Es => es(m),
    }
}

/// A message with its placeables filled with plain text.
pub(crate) fn fill(lang: Lang, m: Msg, args: &[(&str, &str)]) -> String {
    substitute(text(lang, m), args)
}

/// Replaces each `{name}` of `template` with its value in `args`.
pub(crate) fn substitute(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A date-time as a person writes a date in `lang`, in UTC: `1 March 2025`,
/// `1er mars 2025`, `1 de marzo de 2025`; anything that is not a date-time is
/// returned as it is.
pub fn long_date(lang: Lang, value: &str) -> String {
    let Ok(t) = datetime::parse(value) else {
        return value.to_owned();
    };
    let t = t.to_offset(time::UtcOffset::UTC);
    let m = usize::from(u8::from(t.month())) - 1;
    let (d, y) = (t.day(), t.year());
    match lang {
        Lang::En => format!("{d} {} {y}", t.month()),
        Lang::Fr => {
            const MOIS: [&str; 12] = [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ];
            // French writes the first of the month as an ordinal: « 1er mars ».
            let day = if d == 1 {
                "1er".to_owned()
            } else {
                d.to_string()
            };
            format!("{day} {} {y}", MOIS[m])
        }
        Lang::Es => {
            const MESES: [&str; 12] = [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ];
            format!("{d} de {} de {y}", MESES[m])
        }
    }
}

/// A number as `lang` writes it: French and Spanish with a decimal comma.
pub(crate) fn number(lang: Lang, n: f64) -> String {
    let s = if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    };
    match lang {
        Lang::En => s,
        Lang::Fr | Lang::Es => s.replace('.', ","),
    }
}

/// The name in `lang` of a language given by its tag (`fr`, `fr-BE`): the
/// EU's official languages and Spain's co-official ones; `None` for others.
pub(crate) fn language_name(lang: Lang, tag: &str) -> Option<&'static str> {
    const NAMES: [(&str, &str, &str, &str); 27] = [
        ("bg", "Bulgarian", "bulgare", "búlgaro"),
        ("hr", "Croatian", "croate", "croata"),
        ("cs", "Czech", "tchèque", "checo"),
        ("da", "Danish", "danois", "danés"),
        ("nl", "Dutch", "néerlandais", "neerlandés"),
        ("en", "English", "anglais", "inglés"),
        ("et", "Estonian", "estonien", "estonio"),
        ("fi", "Finnish", "finnois", "finés"),
        ("fr", "French", "français", "francés"),
        ("de", "German", "allemand", "alemán"),
        ("el", "Greek", "grec", "griego"),
        ("hu", "Hungarian", "hongrois", "húngaro"),
        ("ga", "Irish", "irlandais", "irlandés"),
        ("it", "Italian", "italien", "italiano"),
        ("lv", "Latvian", "letton", "letón"),
        ("lt", "Lithuanian", "lituanien", "lituano"),
        ("mt", "Maltese", "maltais", "maltés"),
        ("pl", "Polish", "polonais", "polaco"),
        ("pt", "Portuguese", "portugais", "portugués"),
        ("ro", "Romanian", "roumain", "rumano"),
        ("sk", "Slovak", "slovaque", "eslovaco"),
        ("sl", "Slovenian", "slovène", "esloveno"),
        ("es", "Spanish", "espagnol", "español"),
        ("sv", "Swedish", "suédois", "sueco"),
        ("ca", "Catalan", "catalan", "catalán"),
        ("eu", "Basque", "basque", "euskera"),
        ("gl", "Galician", "galicien", "gallego"),
    ];
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    NAMES.iter().find(|n| n.0 == primary).map(|n| match lang {
        Lang::En => n.1,
        Lang::Fr => n.2,
        Lang::Es => n.3,
    })
}

/// A code of the vocabulary a credential uses (form of participation,
/// supervision of the assessment, assessment type, stackability mode, Open
/// Badges result type) in French or Spanish words; `None` in English (the code
/// is then put in words as it is) and for a code not in the table.
pub(crate) fn code_name(lang: Lang, code: &str) -> Option<&'static str> {
    const CODES: [(&str, &str, &str); 32] = [
        ("online", "en ligne", "en línea"),
        ("onsite", "en présentiel", "presencial"),
        ("blended", "hybride", "semipresencial"),
        ("volunteering", "bénévolat", "voluntariado"),
        (
            "work-experience",
            "expérience professionnelle",
            "experiencia laboral",
        ),
        (
            "unsupervised-no-id",
            "aucune, sans vérification d'identité",
            "ninguna, sin verificación de la identidad",
        ),
        (
            "supervised-no-id",
            "oui, sans vérification d'identité",
            "sí, sin verificación de la identidad",
        ),
        (
            "supervised-online-id-verified",
            "en ligne, avec vérification d'identité",
            "en línea, con verificación de la identidad",
        ),
        (
            "supervised-onsite-id-verified",
            "en présentiel, avec vérification d'identité",
            "presencial, con verificación de la identidad",
        ),
        ("test", "test", "prueba"),
        ("exam", "examen", "examen"),
        ("project", "projet", "proyecto"),
        ("portfolio", "portfolio", "portafolio"),
        (
            "application-of-skill",
            "mise en pratique des compétences",
            "aplicación práctica de competencias",
        ),
        (
            "recognition-of-prior-learning",
            "validation des acquis",
            "reconocimiento del aprendizaje previo",
        ),
        ("oral", "oral", "oral"),
        ("other", "autre", "otro"),
        ("standalone", "autonome", "independiente"),
        ("integrated", "intégrée", "integrada"),
        ("stackable", "capitalisable", "acumulable"),
        ("GradePointAverage", "moyenne (GPA)", "nota media (GPA)"),
        ("LetterGrade", "note en lettres", "calificación con letras"),
        ("Percent", "pourcentage", "porcentaje"),
        (
            "PerformanceLevel",
            "niveau de performance",
            "nivel de desempeño",
        ),
        (
            "PredictedScore",
            "note prévisionnelle",
            "puntuación prevista",
        ),
        ("RawScore", "note brute", "puntuación directa"),
        ("Result", "résultat", "resultado"),
        (
            "RubricCriterion",
            "critère de la grille d'évaluation",
            "criterio de la rúbrica",
        ),
        (
            "RubricCriterionLevel",
            "niveau de la grille d'évaluation",
            "nivel de la rúbrica",
        ),
        (
            "RubricScore",
            "score de la grille d'évaluation",
            "puntuación de la rúbrica",
        ),
        ("ScaledScore", "note normalisée", "puntuación escalada"),
        ("Status", "statut", "estado"),
    ];
    let c = CODES.iter().find(|c| c.0 == code)?;
    match lang {
        Lang::En => None,
        Lang::Fr => Some(c.1),
        Lang::Es => Some(c.2),
    }
}

fn en(m: Msg) -> &'static str {
    use Msg::*;
    match m {
        PageTitle => "Transcript: {title}",
        Documents => "{count} documents",
        ColFile => "File",
        ColCredential => "Credential",
        ColVerdict => "Verdict",
        OverValid => "✓ valid",
        OverUnconfirmed => "! genuine but unconfirmed",
        OverInvalid => "✗ NOT valid",
        OverUnchecked => "? could not check",
        Qualification => "Qualification: {title}",
        QualMet => "✓ MET",
        QualNotMet => "✗ NOT MET",
        QualEcts => "{total} of {minimum} ECTS",
        CredentialsCounted => "Credentials counted",
        Presentation => "Presentation",
        Credential => "Credential",
        Checks => "Checks",
        Claimed => "What the file claims (not confirmed)",
        LearningOutcomes => "Learning outcomes",
        EveryCheck => "Every check, in detail ({count})",
        FrameworkProfiles => "Framework profiles",
        RulesMet => "Rules met ({count})",
        ValidCredential => "✓ Valid credential: genuine{by}; every check passed",
        ValidPresentation => "✓ Valid presentation: genuine{by}; every check passed",
        ValidBy => ", from {issuer}, on your trust list",
        UnconfirmedCredential => {
            "! Genuine but unconfirmed credential: the signature holds, but not everything \
             that decides whether to believe it was checked"
        }
        UnconfirmedPresentation => {
            "! Genuine but unconfirmed presentation: the signature holds, but not everything \
             that decides whether to believe it was checked"
        }
        InvalidCredential => "✗ NOT a valid credential: {reason}",
        InvalidPresentation => "✗ NOT a valid presentation: {reason}",
        InvalidDefault => "a check failed",
        UncheckedCredential => "? Could not check this credential: nothing failed, but {reason}",
        UncheckedPresentation => {
            "? Could not check this presentation: nothing failed, but {reason}"
        }
        UncheckedDefault => "its proofs are of kinds this verifier does not support",
        Caution => "The details below are what the file claims; they are not confirmed.",
        ReasonCredentialN => "credential {n}: ",
        RUnsigned => "NOT SIGNED — anyone could have written this document",
        RTampered => "CHANGED after it was signed — do not rely on it",
        RSignatureNotVerified => "SIGNATURE COULD NOT BE VERIFIED",
        RProofValidity => "SIGNATURE NOT VALID AT THIS TIME",
        RProofPurpose => "SIGNED FOR ANOTHER PURPOSE",
        RWrongSignerIssuer => "SIGNED BY SOMEONE ELSE than the issuer it names ({issuer})",
        RWrongSignerHolder => "SIGNED BY SOMEONE ELSE than the holder it names",
        RRevoked => "REVOKED by {issuer}",
        RSuspended => "SUSPENDED by {issuer}",
        RStatusListUnusable => "REVOCATION STATUS UNRELIABLE",
        RExpired => "EXPIRED on {date}",
        RNotYetValid => "NOT YET VALID — valid from {date}",
        RIssuerNotBound => "NOT CONFIRMED AS FROM {issuer} — no valid signature by its key",
        RUntrustedIssuer => "ISSUER NOT ON YOUR TRUST LIST",
        RMalformed => "NOT A WELL-FORMED DOCUMENT",
        RProfile => "DOES NOT MEET THE FRAMEWORK",
        RReplay => "NOT AN ANSWER TO YOUR REQUEST",
        RNotHolders => "NOT THE PRESENTER'S",
        RTrustNotChecked => "ISSUER NOT CONFIRMED — not checked against a trust list",
        RTrustNotCheckedNamed => {
            "ISSUER NOT CONFIRMED — not checked against a trust list: “{name}” is only what \
             the credential calls its issuer"
        }
        RNotBound => {
            "NOT BOUND TO YOUR REQUEST — no challenge was given, so this may be a copy of a \
             presentation made for someone else"
        }
        RStatusNotChecked => "STATUS NOT CHECKED",
        RCannotCheck => "COULD NOT BE CHECKED",
        RCheckFailed => "CHECK FAILED: {check}",
        TheIssuer => "the issuer",
        GStructure => "Structure",
        GSignature => "Signature",
        GIssuer => "Issuer",
        GDates => "Dates",
        GStatus => "Status",
        GRequest => "Request",
        WellFormed => "a well-formed VC 2.0 credential",
        Genuine => "genuine — {signer}'s key; unchanged since it was signed",
        InForceFromUntil => "in force on the date checked (from {from} until {until})",
        InForceFrom => "in force on the date checked (from {from}, no end date)",
        InForce => "in force on the date checked",
        AnswersRequest => "answers your challenge and domain",
        Passed => "passed",
        Failed => "failed",
        Warning => "warning",
        NotChecked => "not checked",
        NotSupported => "not supported: not checked",
        Expected => " (expected: {expected})",
        // Check names: in English, the check ids of the JSON report.
        CStructure => "structure",
        CContext => "context",
        CProof => "proof",
        CProofPurpose => "proof-purpose",
        CIssuerKey => "issuer-key",
        CHolderKey => "holder-key",
        CProofValidity => "proof-validity",
        CValidity => "validity",
        CTrust => "trust",
        CAccreditation => "accreditation",
        CStatus => "status",
        CProfileRule => "profile-rule",
        CProfile => "profile",
        CChallenge => "challenge",
        CDomain => "domain",
        CHolderBinding => "holder-binding",
        CQualification => "qualification",
        Holder => "Holder",
        PresentationId => "Presentation id",
        Learner => "Learner",
        Country => "Country",
        AwardingBody => "Awarding body",
        AlsoAwardedBy => "Also awarded by",
        IssuerId => "Issuer id",
        SecuredAs => "Format",
        FieldOfStudy => "Field of study",
        Awarded => "Awarded",
        StudyHours => "Study hours",
        EctsCredits => "ECTS credits",
        EqfLevel => "EQF level",
        NationalLevel => "National level",
        FormOfParticipation => "Form of participation",
        Assessment => "Assessment",
        IdentityVerification => "Identity verification",
        QualityAssurance => "Quality assurance",
        Prerequisites => "Prerequisites",
        Grade => "Grade",
        GradingScale => "Grading scale",
        AssessedOn => "Assessed on",
        StacksTowards => "Stacks towards",
        ValidFrom => "Valid from",
        ValidUntil => "Valid until",
        ValidityPeriod => "Validity period",
        Criteria => "Criteria",
        FurtherInformation => "Further information",
        CredentialLanguage => "Language of the credential",
        CredentialId => "Credential id",
        AsListed => "{name} (as listed in the trust list)",
        SelfDeclared => "{name} (self-declared)",
        NationalLevelValue => "{framework} level {level}",
        Summative => "summative",
        NotSummative => "not summative",
        Supervision => "supervision: {how}",
        IdentityYes => "yes: the learner's identity was verified at assessment",
        IdentityNo => "no",
        ModeTowards => "{mode}, towards {list}",
        Towards => "towards {list}",
        OneYear => "1 year",
        Years => "{n} years",
        OneMonth => "1 month",
        Months => "{n} months",
        FromTo => "from {min} to {max}",
        FromMin => "from {min}",
        UpToMax => "up to {max}",
        PassMark => "pass mark {value}",
        PassLevel => "pass level {value}",
        LanguageValue => "{name} ({code})",
    }
}

fn fr(m: Msg) -> &'static str {
    use Msg::*;
    match m {
        PageTitle => "Relevé de vérification : {title}",
        Documents => "{count} documents",
        ColFile => "Fichier",
        ColCredential => "Attestation",
        ColVerdict => "Résultat",
        OverValid => "✓ valide",
        OverUnconfirmed => "! authentique mais non confirmée",
        OverInvalid => "✗ NON valide",
        OverUnchecked => "? vérification impossible",
        Qualification => "Qualification : {title}",
        QualMet => "✓ CONDITIONS REMPLIES",
        QualNotMet => "✗ CONDITIONS NON REMPLIES",
        QualEcts => "{total} crédits ECTS sur {minimum}",
        CredentialsCounted => "Attestations prises en compte",
        Presentation => "Présentation",
        Credential => "Attestation",
        Checks => "Vérifications",
        Claimed => "Ce que déclare le fichier (non confirmé)",
        LearningOutcomes => "Acquis d'apprentissage",
        EveryCheck => "Détail de toutes les vérifications ({count})",
        FrameworkProfiles => "Profils de référentiel",
        RulesMet => "Règles respectées ({count})",
        ValidCredential => {
            "✓ Attestation valide : authentique{by} ; toutes les vérifications sont réussies"
        }
        ValidPresentation => {
            "✓ Présentation valide : authentique{by} ; toutes les vérifications sont réussies"
        }
        ValidBy => ", délivrée par {issuer}, qui figure sur votre liste de confiance",
        UnconfirmedCredential => {
            "! Attestation authentique mais non confirmée : la signature est valide, mais \
             tout ce qui permet de décider si l'on peut s'y fier n'a pas été vérifié"
        }
        UnconfirmedPresentation => {
            "! Présentation authentique mais non confirmée : la signature est valide, mais \
             tout ce qui permet de décider si l'on peut s'y fier n'a pas été vérifié"
        }
        InvalidCredential => "✗ Attestation NON valide : {reason}",
        InvalidPresentation => "✗ Présentation NON valide : {reason}",
        InvalidDefault => "une vérification a échoué",
        UncheckedCredential => {
            "? Impossible de vérifier cette attestation : aucune vérification n'a échoué, \
             mais {reason}"
        }
        UncheckedPresentation => {
            "? Impossible de vérifier cette présentation : aucune vérification n'a échoué, \
             mais {reason}"
        }
        UncheckedDefault => "ses preuves sont d'un type que ce vérificateur ne prend pas en charge",
        Caution => {
            "Les informations ci-dessous sont ce que déclare le fichier ; elles ne sont pas \
             confirmées."
        }
        ReasonCredentialN => "attestation {n} : ",
        RUnsigned => "NON SIGNÉE — n'importe qui aurait pu rédiger ce document",
        RTampered => "MODIFIÉE après sa signature — ne vous y fiez pas",
        RSignatureNotVerified => "SIGNATURE IMPOSSIBLE À VÉRIFIER",
        RProofValidity => "SIGNATURE NON VALABLE À CETTE DATE",
        RProofPurpose => "SIGNÉE À UNE AUTRE FIN",
        RWrongSignerIssuer => "SIGNÉE PAR UN TIERS et non par l'émetteur indiqué ({issuer})",
        RWrongSignerHolder => "SIGNÉE PAR UN TIERS et non par le titulaire indiqué",
        RRevoked => "RÉVOQUÉE par {issuer}",
        RSuspended => "SUSPENDUE par {issuer}",
        RStatusListUnusable => "STATUT DE RÉVOCATION NON FIABLE",
        RExpired => "EXPIRÉE le {date}",
        RNotYetValid => "PAS ENCORE VALABLE — valable à partir du {date}",
        RIssuerNotBound => {
            "PROVENANCE DE {issuer} NON CONFIRMÉE — aucune signature valide de sa clé"
        }
        RUntrustedIssuer => "ÉMETTEUR ABSENT DE VOTRE LISTE DE CONFIANCE",
        RMalformed => "DOCUMENT MAL FORMÉ",
        RProfile => "NON CONFORME AU RÉFÉRENTIEL",
        RReplay => "NE RÉPOND PAS À VOTRE DEMANDE",
        RNotHolders => "N'APPARTIENT PAS À LA PERSONNE QUI LA PRÉSENTE",
        RTrustNotChecked => {
            "ÉMETTEUR NON CONFIRMÉ — non vérifié au regard d'une liste de confiance"
        }
        RTrustNotCheckedNamed => {
            "ÉMETTEUR NON CONFIRMÉ — non vérifié au regard d'une liste de confiance : « {name} » \
             est seulement le nom que l'attestation donne à son émetteur"
        }
        RNotBound => {
            "NON LIÉE À VOTRE DEMANDE — aucun défi n'a été fourni : il peut s'agir de la copie \
             d'une présentation faite pour quelqu'un d'autre"
        }
        RStatusNotChecked => "STATUT NON VÉRIFIÉ",
        RCannotCheck => "VÉRIFICATION IMPOSSIBLE",
        RCheckFailed => "ÉCHEC DE LA VÉRIFICATION : {check}",
        TheIssuer => "l'émetteur",
        GStructure => "Structure",
        GSignature => "Signature",
        GIssuer => "Émetteur",
        GDates => "Dates",
        GStatus => "Statut",
        GRequest => "Demande",
        WellFormed => "une attestation VC 2.0 bien formée",
        Genuine => "authentique — clé de {signer} ; inchangée depuis sa signature",
        InForceFromUntil => "en vigueur à la date de vérification (du {from} au {until})",
        InForceFrom => "en vigueur à la date de vérification (depuis le {from}, sans date de fin)",
        InForce => "en vigueur à la date de vérification",
        AnswersRequest => "répond à votre défi et à votre domaine",
        Passed => "réussie",
        Failed => "échouée",
        Warning => "avertissement",
        NotChecked => "non vérifiée",
        NotSupported => "non prise en charge : non vérifiée",
        Expected => " (attendu : {expected})",
        CStructure => "structure",
        CContext => "contexte",
        CProof => "preuve",
        CProofPurpose => "finalité de la preuve",
        CIssuerKey => "clé de l'émetteur",
        CHolderKey => "clé du titulaire",
        CProofValidity => "validité de la preuve",
        CValidity => "période de validité",
        CTrust => "confiance",
        CAccreditation => "accréditation",
        CStatus => "statut",
        CProfileRule => "règle du profil",
        CProfile => "profil",
        CChallenge => "défi",
        CDomain => "domaine",
        CHolderBinding => "lien avec le titulaire",
        CQualification => "qualification",
        Holder => "Titulaire",
        PresentationId => "Identifiant de la présentation",
        Learner => "Apprenant",
        Country => "Pays",
        AwardingBody => "Organisme de délivrance",
        AlsoAwardedBy => "Également délivrée par",
        IssuerId => "Identifiant de l'émetteur",
        SecuredAs => "Format",
        FieldOfStudy => "Domaine d'études",
        Awarded => "Délivrée le",
        StudyHours => "Heures de formation",
        EctsCredits => "Crédits ECTS",
        EqfLevel => "Niveau CEC",
        NationalLevel => "Niveau national",
        FormOfParticipation => "Modalité de participation",
        Assessment => "Évaluation",
        IdentityVerification => "Vérification de l'identité",
        QualityAssurance => "Assurance qualité",
        Prerequisites => "Prérequis",
        Grade => "Note",
        GradingScale => "Barème de notation",
        AssessedOn => "Évaluée le",
        StacksTowards => "Capitalisable en vue de",
        ValidFrom => "Valable à partir du",
        ValidUntil => "Valable jusqu'au",
        ValidityPeriod => "Durée de validité",
        Criteria => "Critères d'attribution",
        FurtherInformation => "Informations complémentaires",
        CredentialLanguage => "Langue de l'attestation",
        CredentialId => "Identifiant de l'attestation",
        AsListed => "{name} (tel qu'inscrit sur la liste de confiance)",
        SelfDeclared => "{name} (auto-déclaré)",
        NationalLevelValue => "{framework} niveau {level}",
        Summative => "sommative",
        NotSummative => "non sommative",
        Supervision => "surveillance : {how}",
        IdentityYes => "oui : l'identité de l'apprenant a été vérifiée lors de l'évaluation",
        IdentityNo => "non",
        ModeTowards => "{mode}, en vue de {list}",
        Towards => "en vue de {list}",
        OneYear => "1 an",
        Years => "{n} ans",
        OneMonth => "1 mois",
        Months => "{n} mois",
        FromTo => "de {min} à {max}",
        FromMin => "à partir de {min}",
        UpToMax => "jusqu'à {max}",
        PassMark => "note de passage {value}",
        PassLevel => "niveau requis {value}",
        LanguageValue => "{name} ({code})",
    }
}

fn es(m: Msg) -> &'static str {
    use Msg::*;
    match m {
        PageTitle => "Informe de verificación: {title}",
        Documents => "{count} documentos",
        ColFile => "Archivo",
        ColCredential => "Credencial",
        ColVerdict => "Resultado",
        OverValid => "✓ válida",
        OverUnconfirmed => "! auténtica pero sin confirmar",
        OverInvalid => "✗ NO válida",
        OverUnchecked => "? no se pudo comprobar",
        Qualification => "Cualificación: {title}",
        QualMet => "✓ REQUISITOS CUMPLIDOS",
        QualNotMet => "✗ REQUISITOS NO CUMPLIDOS",
        QualEcts => "{total} de {minimum} créditos ECTS",
        CredentialsCounted => "Credenciales computadas",
        Presentation => "Presentación",
        Credential => "Credencial",
        Checks => "Comprobaciones",
        Claimed => "Lo que declara el archivo (sin confirmar)",
        LearningOutcomes => "Resultados de aprendizaje",
        EveryCheck => "Todas las comprobaciones en detalle ({count})",
        FrameworkProfiles => "Perfiles de marco",
        RulesMet => "Reglas cumplidas ({count})",
        ValidCredential => {
            "✓ Credencial válida: auténtica{by}; se han superado todas las comprobaciones"
        }
        ValidPresentation => {
            "✓ Presentación válida: auténtica{by}; se han superado todas las comprobaciones"
        }
        ValidBy => ", emitida por {issuer}, que figura en su lista de confianza",
        UnconfirmedCredential => {
            "! Credencial auténtica pero sin confirmar: la firma es válida, pero no se ha \
             comprobado todo lo necesario para decidir si se puede confiar en ella"
        }
        UnconfirmedPresentation => {
            "! Presentación auténtica pero sin confirmar: la firma es válida, pero no se ha \
             comprobado todo lo necesario para decidir si se puede confiar en ella"
        }
        InvalidCredential => "✗ Credencial NO válida: {reason}",
        InvalidPresentation => "✗ Presentación NO válida: {reason}",
        InvalidDefault => "una comprobación ha fallado",
        UncheckedCredential => {
            "? No se ha podido comprobar esta credencial: ninguna comprobación ha fallado, \
             pero {reason}"
        }
        UncheckedPresentation => {
            "? No se ha podido comprobar esta presentación: ninguna comprobación ha fallado, \
             pero {reason}"
        }
        UncheckedDefault => "sus pruebas son de tipos que este verificador no admite",
        Caution => "Los datos siguientes son lo que declara el archivo; no están confirmados.",
        ReasonCredentialN => "credencial {n}: ",
        RUnsigned => "SIN FIRMAR — cualquiera podría haber redactado este documento",
        RTampered => "MODIFICADA después de firmarse — no confíe en ella",
        RSignatureNotVerified => "NO SE HA PODIDO VERIFICAR LA FIRMA",
        RProofValidity => "FIRMA NO VÁLIDA EN ESTA FECHA",
        RProofPurpose => "FIRMADA CON OTRA FINALIDAD",
        RWrongSignerIssuer => "FIRMADA POR UN TERCERO y no por el emisor que indica ({issuer})",
        RWrongSignerHolder => "FIRMADA POR UN TERCERO y no por el titular que indica",
        RRevoked => "REVOCADA por {issuer}",
        RSuspended => "SUSPENDIDA por {issuer}",
        RStatusListUnusable => "ESTADO DE REVOCACIÓN NO FIABLE",
        RExpired => "CADUCADA el {date}",
        RNotYetValid => "AÚN NO VÁLIDA — válida a partir del {date}",
        RIssuerNotBound => {
            "NO CONFIRMADO QUE PROCEDA DE {issuer} — ninguna firma válida con su clave"
        }
        RUntrustedIssuer => "EL EMISOR NO FIGURA EN SU LISTA DE CONFIANZA",
        RMalformed => "DOCUMENTO MAL FORMADO",
        RProfile => "NO CUMPLE EL MARCO",
        RReplay => "NO RESPONDE A SU SOLICITUD",
        RNotHolders => "NO PERTENECE A QUIEN LA PRESENTA",
        RTrustNotChecked => "EMISOR NO CONFIRMADO — no se ha cotejado con una lista de confianza",
        RTrustNotCheckedNamed => {
            "EMISOR NO CONFIRMADO — no se ha cotejado con una lista de confianza: «{name}» es \
             solo el nombre que la credencial da a su emisor"
        }
        RNotBound => {
            "NO VINCULADA A SU SOLICITUD — no se indicó ningún desafío, por lo que puede ser \
             una copia de una presentación hecha para otra persona"
        }
        RStatusNotChecked => "ESTADO NO COMPROBADO",
        RCannotCheck => "NO SE HA PODIDO COMPROBAR",
        RCheckFailed => "COMPROBACIÓN FALLIDA: {check}",
        TheIssuer => "el emisor",
        GStructure => "Estructura",
        GSignature => "Firma",
        GIssuer => "Emisor",
        GDates => "Fechas",
        GStatus => "Estado",
        GRequest => "Solicitud",
        WellFormed => "una credencial VC 2.0 bien formada",
        Genuine => "auténtica — clave de {signer}; sin cambios desde su firma",
        InForceFromUntil => "vigente en la fecha comprobada (del {from} al {until})",
        InForceFrom => "vigente en la fecha comprobada (desde el {from}, sin fecha de fin)",
        InForce => "vigente en la fecha comprobada",
        AnswersRequest => "responde a su desafío y a su dominio",
        Passed => "superada",
        Failed => "fallida",
        Warning => "advertencia",
        NotChecked => "no comprobada",
        NotSupported => "no admitida: no comprobada",
        Expected => " (se esperaba: {expected})",
        CStructure => "estructura",
        CContext => "contexto",
        CProof => "prueba",
        CProofPurpose => "finalidad de la prueba",
        CIssuerKey => "clave del emisor",
        CHolderKey => "clave del titular",
        CProofValidity => "validez de la prueba",
        CValidity => "periodo de validez",
        CTrust => "confianza",
        CAccreditation => "acreditación",
        CStatus => "estado",
        CProfileRule => "regla del perfil",
        CProfile => "perfil",
        CChallenge => "desafío",
        CDomain => "dominio",
        CHolderBinding => "vínculo con el titular",
        CQualification => "cualificación",
        Holder => "Titular",
        PresentationId => "Identificador de la presentación",
        Learner => "Estudiante",
        Country => "País",
        AwardingBody => "Entidad emisora",
        AlsoAwardedBy => "También emitida por",
        IssuerId => "Identificador del emisor",
        SecuredAs => "Formato",
        FieldOfStudy => "Ámbito de estudio",
        Awarded => "Fecha de expedición",
        StudyHours => "Horas de estudio",
        EctsCredits => "Créditos ECTS",
        EqfLevel => "Nivel MEC",
        NationalLevel => "Nivel nacional",
        FormOfParticipation => "Modalidad de participación",
        Assessment => "Evaluación",
        IdentityVerification => "Verificación de la identidad",
        QualityAssurance => "Garantía de calidad",
        Prerequisites => "Requisitos previos",
        Grade => "Calificación",
        GradingScale => "Escala de calificación",
        AssessedOn => "Fecha de evaluación",
        StacksTowards => "Acumulable para",
        ValidFrom => "Válida desde",
        ValidUntil => "Válida hasta",
        ValidityPeriod => "Periodo de validez",
        Criteria => "Criterios de concesión",
        FurtherInformation => "Información adicional",
        CredentialLanguage => "Idioma de la credencial",
        CredentialId => "Identificador de la credencial",
        AsListed => "{name} (tal como figura en la lista de confianza)",
        SelfDeclared => "{name} (autodeclarado)",
        NationalLevelValue => "{framework} nivel {level}",
        Summative => "sumativa",
        NotSummative => "no sumativa",
        Supervision => "supervisión: {how}",
        IdentityYes => "sí: se verificó la identidad del estudiante en la evaluación",
        IdentityNo => "no",
        ModeTowards => "{mode}, para {list}",
        Towards => "para {list}",
        OneYear => "1 año",
        Years => "{n} años",
        OneMonth => "1 mes",
        Months => "{n} meses",
        FromTo => "de {min} a {max}",
        FromMin => "desde {min}",
        UpToMax => "hasta {max}",
        PassMark => "nota de aprobado {value}",
        PassLevel => "nivel de aprobado {value}",
        LanguageValue => "{name} ({code})",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The `{names}` of a message.
    fn placeables(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_language_has_every_message_with_the_same_placeables() {
        // Missing or extra ids cannot compile (one exhaustive match per
        // language); what is left to check is the text.
        for &m in Msg::ALL {
            let english = placeables(en(m));
            for lang in Lang::ALL {
                let t = text(lang, m);
                assert!(!t.trim().is_empty(), "{m:?} is empty in {lang:?}");
                assert_eq!(
                    placeables(t),
                    english,
                    "{m:?} in {lang:?} has other placeables than in English"
                );
                assert_eq!(
                    t.matches('{').count(),
                    t.matches('}').count(),
                    "{m:?} {lang:?}"
                );
            }
        }
        // The names registrars use for the frameworks.
        assert_eq!(text(Lang::Fr, Msg::EqfLevel), "Niveau CEC");
        assert_eq!(text(Lang::Es, Msg::EqfLevel), "Nivel MEC");
        assert_eq!(text(Lang::Es, Msg::EctsCredits), "Créditos ECTS");
    }

    #[test]
    fn dates_in_words_in_each_language() {
        assert_eq!(long_date(Lang::En, "2025-03-01T00:00:00Z"), "1 March 2025");
        assert_eq!(long_date(Lang::Fr, "2025-03-01T00:00:00Z"), "1er mars 2025");
        assert_eq!(
            long_date(Lang::Es, "2025-03-01T00:00:00Z"),
            "1 de marzo de 2025"
        );
        assert_eq!(
            long_date(Lang::Fr, "2024-12-31T23:59:59Z"),
            "31 décembre 2024"
        );
        assert_eq!(long_date(Lang::Fr, "2030-08-15T10:00:00Z"), "15 août 2030");
        assert_eq!(
            long_date(Lang::Es, "2025-03-01T00:30:00+01:00"),
            "28 de febrero de 2025"
        );
        assert_eq!(long_date(Lang::Es, "soon"), "soon");
    }

    #[test]
    fn languages_from_tags_and_locales() {
        assert_eq!(Lang::parse("fr_FR.UTF-8"), Some(Lang::Fr));
        assert_eq!(Lang::parse("es-ES"), Some(Lang::Es));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), None);
        assert_eq!(Lang::parse("de_DE"), None);
        assert_eq!(language_name(Lang::Fr, "fr-BE"), Some("français"));
        assert_eq!(language_name(Lang::Es, "en"), Some("inglés"));
        assert_eq!(language_name(Lang::En, "xx"), None);
        assert_eq!(number(Lang::Fr, 2.5), "2,5");
        assert_eq!(code_name(Lang::Fr, "online"), Some("en ligne"));
        assert_eq!(
            code_name(Lang::Es, "LetterGrade"),
            Some("calificación con letras")
        );
        assert_eq!(code_name(Lang::En, "online"), None);
        assert_eq!(number(Lang::Es, 6.0), "6");
        assert_eq!(
            substitute("{a} and {b} {c}", &[("a", "1"), ("b", "{c}")]),
            "1 and {c} {c}"
        );
    }
}
