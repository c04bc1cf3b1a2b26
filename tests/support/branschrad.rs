//! The content of the seed council minutes (`shared/seeds/004_…txt`, Branschråd 2025-09-16)
//! as minutes input: the Swedish original, and an English version of the same meeting
//! (headings and fixed words from the catalogue; the discussion summarised in English).
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveTime};
use samverkan::domain::minutes::{ActionLine, DecisionLine, ItemInput, MinutesInput, Person};

/// Paragraphs of each agenda item, in the original's order (Swedish).
pub const SV_ITEMS: &[(&str, &[&str])] = &[
    ("Tidigare minnesanteckningar", &[
        "Mötet inleddes med en kort genomgång av minnesanteckningarna från föregående branschrådsmöte. Då diskuterades bland annat arbetet inom den övergripande avtalsförvaltningen, med särskilt fokus på stickprovskontroller kopplade till tjänstepension. Presentationen innehöll statistik över avvikelser, referenskontroller samt omsättningskrav.",
        "Det föregående mötet innehöll omfattande redovisning och flera informativa presentationer, vilket upplevdes som mycket givande. Deltagarna fick ta del av relevant och tydlig information. Inga kommentarer eller invändningar framfördes gällande minnesanteckningarna från föregående möte.",
    ]),
    ("Artikelnummer", &[
        "Leverantörerna lyfte frågan om den tidigare nämnda utvärderingen av artikelnummer har genomförts. De efterfrågade information om det funnits möjlighet att genomföra utvärderingen, samt vilka resultat som i så fall framkommit. Syftet med frågan var att få en uppdatering kring status och eventuella slutsatser från arbetet.",
        "Den övergripande avtalsförvaltningen (ÖAF) besvarade frågan med att någon formell utvärdering ännu inte har genomförts, och därmed finns inget resultat att redovisa.",
        "Det råder viss osäkerhet kring i vilket forum frågan om uppföljning har lyfts, samt vem som ansvarar för att driva den vidare. Under arbetets gång har vissa justeringar gjorts i artikelnumrens systemstruktur, i takt med att mindre brister har identifierats och åtgärdats. Dessa förbättringar har skett löpande, men utan att en strukturerad utvärdering har genomförts.",
        "Kompetensföretagen förtydligade att frågan om utvärdering av artikelnummer uppstod med anledning av tidigare erfarenheter från övergången till det nya systemet. Den processen innebar betydande administrativa utmaningar och praktiska svårigheter, vilket påverkade både leverantörer och verksamheter.",
        "Syftet med att lyfta frågan är att reflektera över vad som kan läras från den tidigare processen, och att säkerställa att framtida förändringar hanteras mer effektivt och samordnat. Även om en formell utvärdering inte är planerad, betonade Kompetensföretagen att det vore värdefullt att överväga en sådan, som ett sätt att identifiera förbättringsområden och stärka samarbetet framåt.",
        "ÖAF konstaterar att artikelnummerfunktionen till stor del var färdigställd innan branschrådet involverades, vilket begränsade möjligheten till påverkan från branschens sida. Detta lyfts som en viktig lärdom, att berörda parter bör inkluderas tidigare i processen för att skapa bättre förutsättningar för samverkan och anpassning.",
        "Leverantörerna understryker vikten av att de involveras tidigt vid större systemförändringar, såsom införandet av nya artikelnummer. Förändringarna innebär omfattande och kostsamma anpassningar i leverantörernas IT-system, vilket kräver god framförhållning, riskbedömning och samordning. Tidig dialog möjliggör bättre planering och ett mer hållbart införande.",
        "ÖAF lyfter behovet av att använda artikelnummer för att möjliggöra mer detaljerad statistik och uppföljning av hyrbemanning. SKR instämmer och betonar att detta kräver en bred och enhetlig tillämpning inom regionerna. Uppföljning baserad på arbetade timmar bedöms ge bättre underlag än kostnadsbaserad uppföljning, men datakvaliteten behöver förbättras för att fullt ut stödja detta skifte.",
        "ÖAF framhåller också att systemet nu varit i drift i snart ett år, vilket innebär att det bör finnas underlag för att ta fram statistik kopplad till avtal och artikelnummer. Detta möjliggör en mer strukturerad och datadriven uppföljning.",
        "ÖAF informerade om att den Norra Sjukvårdsregionen, med undantag för Region Jämtland, har infört digital tidrapportering via systemet BEMLO. Detta är ett första steg i ett större arbete med att effektivisera administrativa processer.",
        "I steg två kommer regionerna att börja arbeta med fakturamatchning. Det innebär att beställningar med artikelnummer kommer att skickas till berörda parter, vilket möjliggör en smidig övergång från beställning till fakturering.",
        "Den ÖAF betonade att detta arbetssätt inte är unikt för Norra Sjukvårdsregionen, flera aktörer tillämpar liknande rutiner inom ramen för det aktuella avtalet.",
    ]),
    ("Uppföljning tjänstepension", &[
        "ÖAF har under våren genomfört en omfattande stickprovskontroll som nu är i slutfasen av sammanställning. Arbetet har varit tidskrävande på grund av mängden dokumentation och behovet av noggrann granskning och kompletteringar. Resultatet kommer att presenteras samlat till både regioner och leverantörer, exempelvis via utskick eller lägesrapport, och förväntas vara klart under fjärde kvartalet 2025.",
        "Leverantörer uttrycker behov av tydlighet kring hur uppföljningen av stickprovskontroller kommer att fortsätta framöver. Det påtalas att om stickprov genomfördes i november föregående år, bör nya kontroller planeras till samma period i år, i linje med ambitionen om årlig uppföljning. Syftet är att få klarhet i den långsiktiga strukturen för kontrollarbetet.",
        "ÖAF förtydligar att det inte är fastslaget att uppföljning av tjänstepensionsdelen kommer att ske årligen. Beroende på resultatet från den pågående kontrollen kan framtida stickprov bli mer omfattande, omfatta fler aktörer eller genomföras vid andra tidpunkter. Arbetet med att säkerställa korrekthet och kvalitet i kontrollerna är en prioriterad del, särskilt med tanke på komplexiteten som vissa leverantörer har upplevt. ÖAF bekräftar att ytterligare stickprov kopplat till tjänstepension kommer att genomföras, men att upplägg och omfattning fortfarande är under utredning.",
        "Leverantörer uttrycker oro över bristande transparens i urvalet av aktörer inom avtalet, särskilt när mindre erfarna bolag kvalificerat sig framför etablerade vårdbemanningsföretag. Flera leverantörer har gått i konkurs, vilket förstärker behovet av en tydligare och mer rättvis urvalsprocess.",
        "Inför kommande stickprov efterfrågas skärpt uppföljning, särskilt kring tjänstepension, med förslag om enklare verifiering via revisorsintyg. Sammanfattningsvis efterlyses en mer förutsägbar och rättssäker hantering.",
        "ÖAF vill understryka att enligt lagen om offentlig upphandling (LOU) har alla leverantörer rätt att åberopa annan företags kapacitet för att uppfylla krav i ett anbud. Detta är en etablerad och lagstadgad möjlighet som upphandlande myndigheter måste förhålla sig till.",
        "ÖAF är medvetna om att detta kan innebära att mindre eller nyare aktörer kvalificerar sig, även utan lång erfarenhet inom vårdbemanning. Vår uppföljning visar att flera av dessa aktörer senare har haft svårt att uppnå omsättningskraven eller leverera enligt avtalet, vilket i vissa fall lett till att de placerats i karantän eller avvecklats.",
        "Detta skapar en administrativ belastning och väcker viktiga frågor om urvalets långsiktiga hållbarhet. Inför kommande upphandlingar ser vi därför ett behov av att tydliggöra kraven, stärka uppföljningen och säkerställa rättssäkra kontroller, för att skapa bättre förutsättningar för kvalitet, konkurrens och leveransförmåga.",
    ]),
    ("Information om kommande leverantörsträffar", &[
        "Christian från SKR informerar om att samtliga regioner ska genomföra leverantörsdialoger enligt en gemensam modell. Syftet är att skapa en öppen och inkluderande kommunikation mellan regioner och leverantörer, med fokus på det regionala arbetet, inte det nationella avtalet, som hanteras i andra forum.",
        "Mötena planeras vara 40–60 minuter långa, där en tredjedel av tiden ägnas åt information från regionen och resterande tid till dialog. Inbjudan och agenda skickas ut i god tid, och leverantörer uppmanas att skicka in frågor i förväg för att möjliggöra en strukturerad och effektiv diskussion. Detta bidrar till transparens och ger alla parter möjlighet att lyfta behov och perspektiv som är relevanta, både här och nu och inför framtiden.",
        "För att säkerställa att rätt kompetens finns med vid mötena rekommenderas att vissa roller är representerade från regionernas sida. Det gäller avtalsansvariga, avropsenheter, processledare samt en mötesledare. Dessa funktioner bidrar till att mötet blir både informativt och dialoginriktat, och att frågor kan hanteras på ett tydligt och effektivt sätt.",
        "Kompetensföretagen välkomnar initiativet att genomföra strukturerade och öppna leverantörsdialoger inom hela avtalet. Det framhålls som positivt att samtliga leverantörer ges möjlighet att delta och att mötena utformas så att alla parter får komma till tals. Förhoppningen är att detta blir ett återkommande forum för konstruktiv dialog och ökad förståelse mellan parterna.",
        "Leverantörerna uttrycker också uppskattning för initiativet att genomföra leverantörsdialoger. Formatet ses som värdefullt, även om mötestiden på 40–60 minuter upplevs som något kort. Det framhålls att 60 minuter bör ses som en lägsta nivå för dessa möten, för att ge tillräckligt utrymme för både information och dialog. Träffarna ses som ett viktigt steg mot ökad delaktighet och bör utvärderas för fortsatt utveckling.",
    ]),
    ("Viktning/kontinuitet/timmar/18 månader/skuggbokning", &[
        "Leverantörerna ser att nuvarande kontinuitetskrav och \"först till kvarn\"-principen skapar osäkerhet och riskerar att tillgänglighet prioriteras framför kompetens. De efterfrågar tydligare och mer enhetliga riktlinjer samt en mer flexibel och verksamhetsanpassad process. Leverantörerna uttrycker också oro över att beställningsrutinerna mellan 06:30 och 19:00 kan öppna för oegentligheter, där beställare och leverantör kan komma överens om tider på ett sätt som inte är affärsmässigt, vilket riskerar att vissa leverantörer gynnas otillbörligt. Därför efterfrågas tydliga regler för att säkerställa rättvisa och transparens i processen.",
        "Vid det senaste mötet med avropsenheterna informerade ÖAF om att kontinuitetskravet och dess tillämpning varierar mellan regionerna. Vissa regioner har kvar kontinuitet som en tydlig del i upphandlingen, medan andra har valt att justera eller ta bort det helt, och även tillämpningen av 18-månadersperioden skiljer sig åt. Regionerna har försökt vara tydliga i sin kommunikation, bland annat genom lägesrapporten i juni, men konstaterar att ytterligare förtydliganden behövs för att skapa en mer enhetlig förståelse och tillämpning framöver. Det är viktigt att säkerställa att den konsult som avtalats också utför uppdraget, vilket kräver tydliga regler och hög kvalitet på de konsulter som anlitas. Slutligen betonades vikten av tydlighet kring när kontinuiteten ska börja och sluta räknas, vilket kan regleras centralt och gälla för alla regioner, medan andra delar av avtalet kan behöva anpassas lokalt. ÖAF tar gärna emot konkreta tips om var problem uppstår, då riktade insatser mot specifika regioner och avropsenheter är mer verkningsfulla än generella utskick. Leverantörer uppmanas därför att meddela ÖAF vilka regioner och avropsenheter som lägger ut avrop under dessa tider, eftersom det möjliggör en mer direkt och effektiv dialog. Samtidigt finns förståelse för att avrop i vissa fall kan ske av chefer eller andra behöriga beställare även efter kontorstid, vilket är viktigt att ta hänsyn till i den fortsatta dialogen.",
        "Ordföranden betonade vikten av tydliga och rättvisa upphandlingsrutiner, där avrop sker under ordnade former och helst under kontorstid. Verksamheterna ska kunna styra viktiga kriterier vid tilldelning, och transparens i processen är avgörande. Avropssamordnare bör aktivt stödja verksamheterna med sin kompetens för att uppnå bästa möjliga bemanningslösningar. Detta är en central punkt att lyfta på leverantörsträffarna, och en rekommendation om detta kommer att skickas ut från ÖAF.",
    ]),
    ("Visselblåsning", &[
        "Leverantörerna ser ett behov av en anonym visselblåsarfunktion för att kunna rapportera misstänkta oegentligheter utan risk för negativa konsekvenser eller påverkan på affärsrelationer. Rädslan för repressalier gör att många idag avstår från att lyfta problem, vilket försvårar möjligheten att komma till rätta med eventuella missförhållanden.",
        "ÖAF hanterar visselblåsning enligt VGR:s riktlinjer, vilket innebär att tips kan lämnas anonymt och behandlas med sekretess. Ingen information om visselblåsare lämnas ut, och det ska vara tryggt att rapportera misstänkta oegentligheter.",
        "[Visselblåsartjänst - Västra Götalandsregionen](#)",
    ]),
];

pub const SV_OPENING: &str =
    "Ordföranden hälsade samtliga deltagare välkomna till höstens första branschråd.";

/// The decision of item 6 as worded in the original.
pub const SV_DECISION: &str = "Det beslutades att information om visselblåsarfunktionen och länk till rätt kanal ska publiceras på den nationella hemsidan, och att rutinerna ska följas enligt Västra Götalandsregionens riktlinjer.";

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 9, 16).unwrap()
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

/// The attendees as listed in the original: name, organisation, role.
pub const ATTENDEES: &[(&str, &str, &str)] = &[
    ("Stefan Petersson", "Västra Götalandsregionen", "ordförande"),
    ("Christian Törnqvist", "SKR Vård och omsorg", "sakkunnig"),
    (
        "Christoffer Nilsson",
        "Kompetensföretagen",
        "näringspolitisk expert",
    ),
    (
        "Linda Därnemyr",
        "Västra Götalandsregionen, övergripande avtalsförvaltning",
        "strategisk upphandlare",
    ),
    (
        "Patrik Bergström",
        "Region Stockholm, övergripande avtalsförvaltning",
        "avtalscontroller",
    ),
    (
        "Eva-Britt Morin",
        "Region Västerbotten, övergripande avtalsförvaltning",
        "upphandlare",
    ),
    (
        "Philip Freyschuss",
        "Region Östergötland, övergripande avtalsförvaltning",
        "upphandlare",
    ),
    ("Eva Domanders", "Klara", "VD"),
    ("Ted Bergman", "Bonliva", "VD"),
    ("Ida Larsson", "Idaliv", "VD"),
    ("Malin Ernestrand", "NGS Group", "VD"),
    ("Helena Dalman", "Västra Götalandsregionen", "sekreterare"),
];

fn people(roles: &[&str]) -> Vec<Person> {
    ATTENDEES
        .iter()
        .zip(roles)
        .map(|((name, org, _), role)| Person::new(name, Some(org), Some(role)))
        .collect()
}

/// The Swedish minutes' input: everything the original says, in its words.
pub fn input_sv() -> MinutesInput {
    let roles: Vec<&str> = ATTENDEES.iter().map(|a| a.2).collect();
    let items = SV_ITEMS
        .iter()
        .zip(1..)
        .map(|((title, notes), position)| ItemInput {
            position,
            title: title.to_string(),
            notes: notes.iter().map(|n| n.to_string()).collect(),
            decisions: if position == 6 {
                vec![DecisionLine {
                    number: "BR-2025-01".into(),
                    title: "Information om visselblåsning på den nationella hemsidan".into(),
                    text: SV_DECISION.into(),
                }]
            } else {
                vec![]
            },
        })
        .collect();
    MinutesInput {
        forum: "Branschråd".into(),
        date: date(),
        place: "Digital Teams".into(),
        start: time(13, 30),
        end: time(15, 0),
        attendees: people(&roles),
        absentees: vec![],
        guests: vec![],
        consent: Some((12, 12)),
        opening: vec![SV_OPENING.into()],
        items,
        other_decisions: vec![],
        actions: vec![
            ActionLine {
                what: "Sammanställa och presentera resultatet av stickprovskontrollen av tjänstepension för regioner och leverantörer".into(),
                who: "ÖAF".into(),
                due: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            },
            ActionLine {
                what: "Skicka ut rekommendation om avrop under ordnade former och helst under kontorstid".into(),
                who: "ÖAF".into(),
                due: NaiveDate::from_ymd_opt(2025, 11, 30).unwrap(),
            },
        ],
        escalations: vec![],
        next_meeting: Some("Nästa möte planeras till november.".into()),
        chair: Some("Stefan Petersson".into()),
        secretary: Some("Helena Dalman".into()),
    }
}

/// The same meeting in English: roles translated, each item's discussion summarised.
pub fn input_en() -> MinutesInput {
    let roles = [
        "chair",
        "expert",
        "industry policy expert",
        "strategic procurement officer",
        "contract controller",
        "procurement officer",
        "procurement officer",
        "CEO",
        "CEO",
        "CEO",
        "CEO",
        "secretary",
    ];
    let notes: [(&str, &[&str]); 6] = [
        ("Previous minutes", &[
            "The meeting began with a short review of the minutes of the previous council meeting, which covered the joint contract management's spot checks of occupational pensions. No comments or objections were raised on those minutes.",
        ]),
        ("Article numbers", &[
            "The suppliers asked whether the evaluation of article numbers had been carried out. The joint contract management (ÖAF) answered that no formal evaluation has been made, so there are no results to report.",
            "The suppliers stressed that they must be involved early in large system changes such as new article numbers, which require costly changes in their IT systems. ÖAF noted that the system has now run for almost a year, so statistics per contract and article number should be possible.",
        ]),
        ("Follow-up of occupational pensions", &[
            "ÖAF has carried out an extensive spot check that is being compiled; the result will be presented to regions and suppliers, expected in the fourth quarter of 2025. Further spot checks will follow, but their scope is still being investigated.",
            "The suppliers asked for a predictable and legally sound follow-up and expressed concern about how suppliers are selected under the contract.",
        ]),
        ("Information on upcoming supplier meetings", &[
            "SKR informed that all regions will hold supplier dialogues following a common model, 40–60 minutes long, with questions sent in advance. The suppliers welcomed the initiative but consider 60 minutes a minimum.",
        ]),
        ("Weighting/continuity/hours/18 months/shadow booking", &[
            "The suppliers see that the continuity requirement and first-come-first-served ordering create uncertainty, and that orders placed between 06:30 and 19:00 may favour some suppliers. ÖAF welcomes concrete tips on where the problems arise.",
            "The chair stressed clear and fair ordering routines, preferably during office hours; a recommendation will be sent out by ÖAF.",
        ]),
        ("Whistleblowing", &[
            "The suppliers need an anonymous whistleblowing channel to report suspected irregularities without fear of retaliation. ÖAF handles whistleblowing under VGR's guidelines: tips can be anonymous and are handled confidentially.",
        ]),
    ];
    let items = notes
        .iter()
        .zip(1..)
        .map(|((title, notes), position)| ItemInput {
            position,
            title: title.to_string(),
            notes: notes.iter().map(|n| n.to_string()).collect(),
            decisions: if position == 6 {
                vec![DecisionLine {
                    number: "BR-2025-01".into(),
                    title: "Whistleblowing information on the national website".into(),
                    text: "It was decided that information about the whistleblowing function and a link to the right channel shall be published on the national website, and that the routines follow the guidelines of Västra Götalandsregionen.".into(),
                }]
            } else {
                vec![]
            },
        })
        .collect();
    MinutesInput {
        forum: "Industry council".into(),
        date: date(),
        place: "Digital Teams".into(),
        start: time(13, 30),
        end: time(15, 0),
        attendees: people(&roles),
        absentees: vec![],
        guests: vec![],
        consent: Some((12, 12)),
        opening: vec!["The chair welcomed all participants to the council's first meeting of the autumn.".into()],
        items,
        other_decisions: vec![],
        actions: vec![
            ActionLine {
                what: "Compile and present the result of the occupational pension spot check to regions and suppliers".into(),
                who: "ÖAF".into(),
                due: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            },
            ActionLine {
                what: "Send out a recommendation on ordering in orderly forms, preferably during office hours".into(),
                who: "ÖAF".into(),
                due: NaiveDate::from_ymd_opt(2025, 11, 30).unwrap(),
            },
        ],
        escalations: vec![],
        next_meeting: Some("The next meeting is planned for November.".into()),
        chair: Some("Stefan Petersson".into()),
        secretary: Some("Helena Dalman".into()),
    }
}
